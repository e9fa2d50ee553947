/** Notification rules and their deliveries: the engine's public surface. */
export {
  checkDestination,
  checkSecretRef,
  DESTINATION_KINDS,
  type Destination,
  type DestinationKind,
  type DestinationSpecOptions,
  type SmtpDestination,
  describeDestination,
  PAGERDUTY_EVENTS_URL,
  parseDestinationSpec,
} from "./destinations.js";
export { clean, escapeCefHeader, escapeCefValue, escapeHtml, escapeSlack, escapeTeams, type AlertSummary, type Message, type MessageBody } from "./format.js";
export { createNotifier, type Notifier, type NotifierOptions, type NotifyPassResult, type NotifyTestResult, notifyDedupeKey, type SecretResolver } from "./notifier.js";
export { NOTIFY_CHANGES, type NotifyChange, checkRuleDefinition, checkTitlePattern, describeRule, readRuleDefinition, type RuleDefinition } from "./rule.js";
export { NotifyDeliveryError, type SmtpAttachment, type SmtpMail, sendMail } from "./transports.js";
