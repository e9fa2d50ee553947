export type * from "./alert.js";
export type * from "./evidence.js";
export type * from "./hunting.js";
export type * from "./incident.js";
export type * from "./detection-rule.js";
