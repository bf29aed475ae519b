import fs from 'node:fs';
import os from 'node:os';
import * as vscode from 'vscode';
import { applyConnect, BACKUP_SUFFIX, CONNECT_CLIENTS, planConnect, undoConnect, type ConnectClient } from '../core/connect';
import type { GatewayService } from './gateway-service';
import type { RemoteGateway } from './remote-gateway';

interface ClientItem extends vscode.QuickPickItem {
  client: ConnectClient;
}

const where = () => ({ home: os.homedir(), env: process.env });

/** A file of the client still has the backup of its first connect: it is connected. */
const isConnected = (client: ConnectClient) => client.files.some((file) => fs.existsSync(file.path(where()) + BACKUP_SUFFIX));

/**
 * "Agate: Connect a Client…": pick a client, see the diff of its settings
 * files, write them (with a backup), or disconnect one connected before.
 * The work is core/connect's; this only asks and reports. With a team gateway set (`agate.remoteGateway`) the
 * client is pointed at it, with the client key.
 */
export async function connectClientCommand(service: GatewayService, remote: RemoteGateway): Promise<void> {
  const items: ClientItem[] = CONNECT_CLIENTS.map((client) => ({
    client,
    label: client.title,
    description: isConnected(client) ? vscode.l10n.t('connected') : client.files.map((file) => file.displayPath).join(', '),
    detail: client.summary,
  }));
  const picked = await vscode.window.showQuickPick(items, {
    title: vscode.l10n.t('Connect a client to Agate'),
    placeHolder: vscode.l10n.t('Which client should use Agate?'),
  });
  if (!picked) return;
  const { client } = picked;

  if (isConnected(client)) {
    const disconnect = vscode.l10n.t('Disconnect (restore my files)');
    const update = vscode.l10n.t('Connect again');
    const choice = await vscode.window.showQuickPick([update, disconnect], { title: vscode.l10n.t('{0} already uses Agate', client.title) });
    if (choice === disconnect) return disconnectClient(client);
    if (choice !== update) return;
  }

  const values = await clientValues(service, remote);
  if (!values) return;

  if (client.snippet) {
    const text = client.snippet(values);
    await vscode.env.clipboard.writeText(text);
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument({ content: text, language: 'plaintext' }), { preview: true });
    void vscode.window.showInformationMessage(vscode.l10n.t('The settings for {0} are on the clipboard.', client.title));
    return;
  }

  const plan = await planConnect(client, values, where());
  if (plan.upToDate) {
    void vscode.window.showInformationMessage(vscode.l10n.t('{0} already uses Agate at {1}.', client.title, values.baseUrl));
    return;
  }
  const diff = plan.files
    .filter((file) => file.changed)
    .map((file) => file.diff)
    .join('\n');
  await vscode.window.showTextDocument(await vscode.workspace.openTextDocument({ content: diff, language: 'diff' }), { preview: true });
  const write = vscode.l10n.t('Write');
  const answer = await vscode.window.showInformationMessage(
    vscode.l10n.t(
      'Write these changes to {0}? A backup is kept; "Disconnect" restores it.',
      plan.files
        .filter((f) => f.changed)
        .map((f) => f.displayPath)
        .join(vscode.l10n.t(' and ')),
    ),
    { modal: true },
    write,
  );
  if (answer !== write) return;
  const written = await applyConnect(plan);
  const undo = vscode.l10n.t('Disconnect');
  const next = await vscode.window.showInformationMessage(
    vscode.l10n.t('{0} now uses Agate ({1}). Run: {2}', client.title, written.join(', '), client.run),
    undo,
  );
  if (next === undo) await disconnectClient(client);
}

/** Where the client goes and with which key: the team gateway with the client key, else this editor's gateway. */
async function clientValues(service: GatewayService, remote: RemoteGateway): Promise<{ baseUrl: string; key: string } | undefined> {
  if (remote.active) {
    const team = await remote.target();
    if (!team) void vscode.window.showErrorMessage(vscode.l10n.t('Agate has no client key for the team gateway: run "Agate: Use a Team Gateway…" again.'));
    return team;
  }
  const baseUrl = service.baseUrl();
  if (!baseUrl) {
    void vscode.window.showErrorMessage(vscode.l10n.t('Agate has no base URL: fix the Agate settings first.'));
    return undefined;
  }
  // The primary key works whether auth is on or off (off: the gateway ignores it).
  const { key } = await (await service.admin()).call('primaryKey');
  return { baseUrl: baseUrl.replace(/\/+$/, ''), key };
}

async function disconnectClient(client: ConnectClient): Promise<void> {
  const result = await undoConnect(client, where());
  void vscode.window.showInformationMessage(
    result.changedSince.length
      ? vscode.l10n.t(
          '{0} no longer uses Agate: its files are as they were before. Changes made to {1} since connecting are undone too.',
          client.title,
          result.changedSince.join(', '),
        )
      : vscode.l10n.t('{0} no longer uses Agate: its files are as they were before.', client.title),
  );
}
