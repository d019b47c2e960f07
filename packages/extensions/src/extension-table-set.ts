/**
 * Keeps an engine's extension tables in step with the manager's registrations: tables of new extensions are
 * registered, tables of extensions that went away (deregistered, dead, re-registered under a new uuid) are removed.
 */
import type { Engine } from '@quarry/sql';
import { extensionTable, type ExtensionCallLimits, type ExtensionTableSpec } from './extension-table.js';
import { SyncExtensionCaller } from './sync-extension-call.js';

function key(spec: ExtensionTableSpec): string {
  return JSON.stringify([spec.socketPath, spec.columns]);
}

export class ExtensionTableSet {
  private readonly attached = new Map<string, string>();
  private readonly caller = new SyncExtensionCaller();

  constructor(
    private readonly engine: Engine,
    private readonly limits: ExtensionCallLimits,
  ) {}

  /** Makes the engine's extension tables exactly `specs`. Returns problems (e.g. a name a built-in table took). */
  apply(specs: readonly ExtensionTableSpec[]): string[] {
    const problems: string[] = [];
    const wanted = new Map(specs.map((spec) => [spec.name.toLowerCase(), spec]));
    for (const [name, attachedKey] of this.attached) {
      const spec = wanted.get(name);
      if (spec && key(spec) === attachedKey) continue;
      this.engine.unregister(name);
      this.attached.delete(name);
    }
    for (const [name, spec] of wanted) {
      if (this.attached.has(name)) continue;
      try {
        this.engine.register(extensionTable(spec, this.caller, this.limits));
        this.attached.set(name, key(spec));
      } catch (error) {
        problems.push(`extension table ${spec.name}: ${(error as Error).message}`);
      }
    }
    return problems;
  }

  /** Table names attached now. */
  names(): string[] {
    return [...this.attached.keys()];
  }

  close(): void {
    this.caller.stop();
  }
}
