import type * as vscode from 'vscode';

/**
 * The one lifecycle idiom of the extension: an object registers what it
 * creates (listeners, panels, child objects) and disposes all of it, newest
 * first, exactly once. Whatever is registered after disposal is disposed at
 * once, so a late callback cannot leak a listener.
 */
export abstract class Disposable implements vscode.Disposable {
  private readonly owned: vscode.Disposable[] = [];
  private disposed = false;

  get isDisposed(): boolean {
    return this.disposed;
  }

  protected register<T extends vscode.Disposable>(disposable: T): T {
    if (this.disposed) disposable.dispose();
    else this.owned.push(disposable);
    return disposable;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const failures: unknown[] = [];
    for (const disposable of this.owned.splice(0).reverse()) {
      try {
        disposable.dispose();
      } catch (err) {
        failures.push(err);
      }
    }
    if (failures.length === 1) throw failures[0];
    if (failures.length > 1) throw new AggregateError(failures, 'several disposals failed');
  }
}
