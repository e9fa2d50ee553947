/** Version of the mde-partner CLI (sent in the User-Agent). */
export const CLI_VERSION = "0.1.0";
