/** Mocha global fixture: every run starts with an empty log capture, so the secret-leak check reads only this run. */
import fs from 'node:fs';
import { LOG_CAPTURE_FILE } from './stack';

export function mochaGlobalSetup(): void {
  fs.rmSync(LOG_CAPTURE_FILE, { force: true });
}
