#!/usr/bin/env node
// The CLI runs from one bundle of the built packages (dist/bundle, made by scripts/bundle.mjs
// after `tsc -b`): every command is a new process, and the bundle starts it in half the time.
import { main } from "../dist/bundle/main.js";

process.exitCode = await main(process.argv.slice(2));
