import { describe, expect, it } from 'vitest';
import { INSTALL_COMMAND, missingPackages, missingPackagesMessage } from '../../../../scripts/demo/packages.js';

describe('the demo’s package check', () => {
  it('names each missing Debian package and the one command that installs them', () => {
    expect(missingPackages(() => true)).toEqual([]);
    const missing = missingPackages((file) => !file.includes('baresip') && !file.includes('espeak'));
    expect(missing).toEqual(['baresip-core', 'espeak-ng']);
    const message = missingPackagesMessage(missing);
    expect(message).toContain('baresip-core, espeak-ng');
    expect(message).toContain(INSTALL_COMMAND);
    expect(INSTALL_COMMAND).toBe('sudo bash scripts/setup-debian.sh');
  });
});
