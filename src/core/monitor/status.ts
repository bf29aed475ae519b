/** Status the gateway records when the client went away before the answer was complete (nginx's convention). */
export const CLIENT_CLOSED_STATUS = 499;

/**
 * Whether a finished request counts as an error in filters and stats. A client
 * that hung up (Claude Code's Esc, a closed tab) is not a gateway failure.
 */
export const countsAsError = (status: number): boolean => status >= 400 && status !== CLIENT_CLOSED_STATUS;
