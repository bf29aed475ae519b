import assert from 'node:assert/strict';
import { locateInstallations, productOfExecutable, userDataDirArg, type LocateEnvironment } from '../../../src/core/ide/installations';
import { splitWindowsCommandLine } from '../../../src/core/ide/processes';

const existing = (...files: string[]) => (file: string) => files.includes(file);

describe('Antigravity IDE installations: where the state database is', () => {
  const linux = (over: Partial<LocateEnvironment> = {}): LocateEnvironment => ({ platform: 'linux', env: {}, home: '/home/u', exists: () => false, ...over });

  it('Linux: "Antigravity IDE" before the legacy "Antigravity", honouring XDG_CONFIG_HOME', () => {
    const both = existing('/xdg/Antigravity IDE/User/globalStorage/state.vscdb', '/xdg/Antigravity/User/globalStorage/state.vscdb');
    const found = locateInstallations(linux({ env: { XDG_CONFIG_HOME: '/xdg' }, exists: both }));
    assert.deepEqual(found.map((i) => [i.product, i.dbPath, i.source]), [
      ['Antigravity IDE', '/xdg/Antigravity IDE/User/globalStorage/state.vscdb', 'default'],
      ['Antigravity', '/xdg/Antigravity/User/globalStorage/state.vscdb', 'default'],
    ]);
    // Nothing there yet: the place the IDE will use, so the user is told where to look.
    assert.deepEqual(locateInstallations(linux()).map((i) => i.dbPath), ['/home/u/.config/Antigravity IDE/User/globalStorage/state.vscdb']);
  });

  it('a running instance\'s --user-data-dir, VSCODE_PORTABLE and VSCODE_APPDATA come first', () => {
    const found = locateInstallations(
      linux({
        env: { VSCODE_PORTABLE: '/port', VSCODE_APPDATA: '/appdata' },
        given: ['/named'],
        running: [{ product: 'Antigravity IDE', userDataDir: '/custom/dir', executable: '/opt/Antigravity IDE/antigravity-ide' }],
        exists: existing('/port/user-data/User/globalStorage/state.vscdb', '/appdata/Antigravity IDE/User/globalStorage/state.vscdb', '/opt/Antigravity IDE/data/user-data/User/globalStorage/state.vscdb'),
      }),
    );
    assert.deepEqual(found.map((i) => [i.userDataDir, i.source]), [
      ['/named', 'given'],
      ['/custom/dir', 'running'],
      ['/port/user-data', 'VSCODE_PORTABLE'],
      ['/appdata/Antigravity IDE', 'VSCODE_APPDATA'],
      ['/opt/Antigravity IDE/data/user-data', 'portable'],
      ['/home/u/.config/Antigravity IDE', 'default'],
    ]);
  });

  it('Windows and macOS defaults', () => {
    const win = locateInstallations({ platform: 'win32', env: { APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, home: 'C:\\Users\\u', exists: () => false });
    assert.equal(win[0].dbPath, 'C:\\Users\\u\\AppData\\Roaming\\Antigravity IDE\\User\\globalStorage\\state.vscdb');
    const mac = locateInstallations({ platform: 'darwin', env: {}, home: '/Users/u', exists: existing('/Users/u/Library/Application Support/Antigravity/User/globalStorage/state.vscdb') });
    assert.deepEqual(mac.map((i) => i.product), ['Antigravity']);
    const portableMac = locateInstallations({
      platform: 'darwin',
      env: {},
      home: '/Users/u',
      executables: [{ product: 'Antigravity IDE', path: '/Apps/Antigravity IDE.app/Contents/MacOS/Electron' }],
      exists: existing('/Apps/Antigravity IDE-portable-data/user-data/User/globalStorage/state.vscdb'),
    });
    assert.equal(portableMac[0].userDataDir, '/Apps/Antigravity IDE-portable-data/user-data');
  });

  it('reads --user-data-dir both ways and tells the products apart', () => {
    assert.equal(userDataDirArg(['x', '--user-data-dir', '/a b']), '/a b');
    assert.equal(userDataDirArg(['x', '--user-data-dir=/c']), '/c');
    assert.equal(userDataDirArg(['x']), undefined);
    assert.equal(productOfExecutable('/Applications/Antigravity IDE.app/Contents/MacOS/Electron'), 'Antigravity IDE');
    assert.equal(productOfExecutable('/Applications/Antigravity.app/Contents/Frameworks/Antigravity Helper (Renderer).app/x'), 'Antigravity');
    assert.equal(productOfExecutable('C:\\Users\\u\\AppData\\Local\\Programs\\Antigravity IDE\\Antigravity IDE.exe'), 'Antigravity IDE');
    assert.equal(productOfExecutable('/usr/bin/antigravity-ide'), 'Antigravity IDE');
    assert.equal(productOfExecutable('/usr/bin/antigravity'), 'Antigravity');
    assert.equal(productOfExecutable('/usr/bin/code'), undefined);
  });

  it('splits Windows command lines as Windows does', () => {
    assert.deepEqual(splitWindowsCommandLine('"C:\\Program Files\\Antigravity IDE\\Antigravity IDE.exe" --user-data-dir="D:\\a b" x'), [
      'C:\\Program Files\\Antigravity IDE\\Antigravity IDE.exe',
      '--user-data-dir=D:\\a b',
      'x',
    ]);
    assert.deepEqual(splitWindowsCommandLine('"C:\\P Q\\a.exe" --user-data-dir "D:\\x y" --flag'), ['C:\\P Q\\a.exe', '--user-data-dir', 'D:\\x y', '--flag']);
  });
});
