// Environment variables through which test/vscode/run-in-code-server.ts talks to the tests it runs: it sets
// them on the code-server process, and the extension host that runs the tests inherits them.

/** Runs only the tests whose full title matches this pattern (the runner's `--grep`). */
export const GREP_ENV = 'AGATE_VSCODE_TEST_GREP';

/** Origin of the runner's loopback endpoint that captures the workbench page: screenshots and rendered text (see suite/screenshot.ts). */
export const SCREENSHOT_URL_ENV = 'AGATE_VSCODE_TEST_SCREENSHOT_URL';

/**
 * Folder of the test TLS material (test/vscode/fixtures/tls: a CA made for these tests, its key thrown away, and a
 * certificate for 127.0.0.2 it signed). The runner also names the CA in NODE_EXTRA_CA_CERTS, so the extension host
 * trusts an HTTPS upstream that a test serves with that certificate.
 */
export const TLS_FIXTURES_ENV = 'AGATE_VSCODE_TEST_TLS_DIR';
