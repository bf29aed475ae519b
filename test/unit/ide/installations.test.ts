import assert from 'node:assert/strict';
import { locateInstallations, productOfExecutable, userDataDirArg, type LocateEnvironment } from '../../../src/core/ide/installations';
import { processesOf, relaunchOf, splitWindowsCommandLine, type ProcessInfo } from '../../../src/core/ide/processes';

const existing =
  (...files: string[]) =>
  (file: string) =>
    files.includes(file);

describe('Antigravity IDE installations: where the state database is', () => {
  const linux = (over: Partial<LocateEnvironment> = {}): LocateEnvironment => ({ platform: 'linux', env: {}, home: '/home/u', exists: () => false, ...over });

  it('Linux: "Antigravity IDE" before the legacy "Antigravity", honouring XDG_CONFIG_HOME', () => {
    const both = existing('/xdg/Antigravity IDE/User/globalStorage/state.vscdb', '/xdg/Antigravity/User/globalStorage/state.vscdb');
    const found = locateInstallations(linux({ env: { XDG_CONFIG_HOME: '/xdg' }, exists: both }));
    assert.deepEqual(
      found.map((i) => [i.product, i.dbPath, i.source]),
      [
        ['Antigravity IDE', '/xdg/Antigravity IDE/User/globalStorage/state.vscdb', 'default'],
        ['Antigravity', '/xdg/Antigravity/User/globalStorage/state.vscdb', 'default'],
      ],
    );
    // Nothing there yet: the place the IDE will use, so the user is told where to look.
    assert.deepEqual(
      locateInstallations(linux()).map((i) => i.dbPath),
      ['/home/u/.config/Antigravity IDE/User/globalStorage/state.vscdb'],
    );
  });

  it("a running instance's --user-data-dir, VSCODE_PORTABLE and VSCODE_APPDATA come first", () => {
    const found = locateInstallations(
      linux({
        env: { VSCODE_PORTABLE: '/port', VSCODE_APPDATA: '/appdata' },
        given: ['/named'],
        running: [{ product: 'Antigravity IDE', userDataDir: '/custom/dir', executable: '/opt/Antigravity IDE/antigravity-ide' }],
        exists: existing(
          '/port/user-data/User/globalStorage/state.vscdb',
          '/appdata/Antigravity IDE/User/globalStorage/state.vscdb',
          '/opt/Antigravity IDE/data/user-data/User/globalStorage/state.vscdb',
        ),
      }),
    );
    assert.deepEqual(
      found.map((i) => [i.userDataDir, i.source]),
      [
        ['/named', 'given'],
        ['/custom/dir', 'running'],
        ['/port/user-data', 'VSCODE_PORTABLE'],
        ['/appdata/Antigravity IDE', 'VSCODE_APPDATA'],
        ['/opt/Antigravity IDE/data/user-data', 'portable'],
        ['/home/u/.config/Antigravity IDE', 'default'],
      ],
    );
  });

  it('Windows and macOS defaults', () => {
    const win = locateInstallations({ platform: 'win32', env: { APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, home: 'C:\\Users\\u', exists: () => false });
    assert.equal(win[0].dbPath, 'C:\\Users\\u\\AppData\\Roaming\\Antigravity IDE\\User\\globalStorage\\state.vscdb');
    const mac = locateInstallations({
      platform: 'darwin',
      env: {},
      home: '/Users/u',
      exists: existing('/Users/u/Library/Application Support/Antigravity/User/globalStorage/state.vscdb'),
    });
    assert.deepEqual(
      mac.map((i) => i.product),
      ['Antigravity'],
    );
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

  it('tells the processes of one installation from every other (macOS table, no --user-data-dir)', () => {
    const proc = (pid: number, ppid: number, command: string): ProcessInfo => {
      const executable = command.split(/ (?=--?\w)/)[0];
      return {
        pid,
        ppid,
        executable,
        argv: [
          executable,
          ...command
            .slice(executable.length)
            .trim()
            .split(/ (?=--?\w)/)
            .filter(Boolean),
        ],
        command,
      };
    };
    const table = [
      proc(100, 1, '/Applications/Antigravity IDE.app/Contents/MacOS/Electron'),
      proc(
        101,
        100,
        '/Applications/Antigravity IDE.app/Contents/Frameworks/Antigravity IDE Helper (Renderer).app/Contents/MacOS/Antigravity IDE Helper (Renderer) --type=renderer',
      ),
      proc(102, 101, '/Users/u/.antigravity-ide/bin/language_server_macos_arm'),
      proc(200, 1, '/Applications/Antigravity.app/Contents/MacOS/Electron'),
      proc(201, 200, '/Applications/Antigravity.app/Contents/Frameworks/Antigravity Helper.app/Contents/MacOS/Antigravity Helper --type=utility'),
      proc(300, 1, '/Applications/Antigravity IDE.app/Contents/MacOS/Electron --user-data-dir=/Users/u/other profile'),
      proc(400, 1, '/Applications/Cursor.app/Contents/MacOS/Cursor'),
    ];
    const standard = {
      product: 'Antigravity IDE' as const,
      userDataDir: '/Users/u/Library/Application Support/Antigravity IDE',
      dbPath: '',
      source: 'default' as const,
    };
    const found = processesOf(standard, table);
    assert.deepEqual(
      found.all.map((p) => p.pid),
      [100, 101, 102],
    );
    assert.deepEqual(
      found.mains.map((p) => p.pid),
      [100],
    );
    const other = { ...standard, userDataDir: '/Users/u/other profile', source: 'given' as const };
    assert.deepEqual(
      processesOf(other, table).all.map((p) => p.pid),
      [300],
    );
    const legacy = { ...standard, product: 'Antigravity' as const, userDataDir: '/Users/u/Library/Application Support/Antigravity' };
    assert.deepEqual(
      processesOf(legacy, table).all.map((p) => p.pid),
      [200, 201],
    );
    assert.deepEqual(
      processesOf(standard, table, new Set([101])).all.map((p) => p.pid),
      [100],
      'an excluded process and its subtree are not counted',
    );
    assert.deepEqual(relaunchOf(table[5], other, 'darwin'), {
      command: 'open',
      args: ['-n', '-a', '/Applications/Antigravity IDE.app', '--args', '--user-data-dir=/Users/u/other profile'],
    });
    assert.deepEqual(relaunchOf(table[0], standard, 'darwin'), { command: 'open', args: ['-n', '-a', '/Applications/Antigravity IDE.app'] });
  });
});
