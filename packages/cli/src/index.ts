export { CliError, EXIT } from "./errors.js";
export { createProgram, main } from "./main.js";
