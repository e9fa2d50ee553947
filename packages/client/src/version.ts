/** This package's version, for the User-Agent product token. */
export const CLIENT_VERSION = "0.1.0";
