export { createProgram, main } from "./main.js";
export { CliError, EXIT } from "./errors.js";
