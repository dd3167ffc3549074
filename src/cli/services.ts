/**
 * What the commands of one process share, built by the CLI entry and handed to every command
 * through its context: the sync runtimes (one per repository root) and the workspaces (a working
 * directory, its repository root found once, and its emitter). Everything is created on first
 * use, so a command that emits nothing opens nothing.
 */
import { load } from "../common/load.ts";
import { NotInProjectError } from "../common/errors.ts";
import { kittifyHome } from "../common/home.ts";
import { warn, warnOnce } from "../common/warnings.ts";
import type { Emitter } from "../sync/emitter.ts";
import type { SyncRuntimes } from "../sync/runtime.ts";

/** A working directory and what commands run there need. */
export interface Workspace {
  cwd: string;
  /** The repository root (null outside any repository or project). */
  root: string | null;
  /** Stores this command's events. */
  emitter: Emitter;
}

/** A workspace inside a repository. */
export interface ProjectWorkspace extends Workspace {
  root: string;
}

const loadResolve = () =>
  load<typeof import("../identity/resolve.ts")>(new URL("../identity/resolve.ts", import.meta.url));

const loadGitMetadata = () =>
  load<typeof import("../sync/git_metadata.ts")>(
    new URL("../sync/git_metadata.ts", import.meta.url),
  );

const loadNodeId = () =>
  load<typeof import("../identity/node_id.ts")>(new URL("../identity/node_id.ts", import.meta.url));

export class Services {
  #runtimes: Promise<SyncRuntimes> | undefined;
  readonly #workspaces = new Map<string, Promise<Workspace>>();

  /** The sync runtimes of this process. */
  runtimes(): Promise<SyncRuntimes> {
    this.#runtimes ??= (async () => {
      const [
        { SyncRuntimes, EXIT_BUDGET_MS },
        { userKv },
        { readSyncConfig },
        { readCredentials },
        { resolveAtRoot },
        { localNodeId },
      ] = await Promise.all([
        load<typeof import("../sync/runtime.ts")>(new URL("../sync/runtime.ts", import.meta.url)),
        load<typeof import("../store/open.ts")>(new URL("../store/open.ts", import.meta.url)),
        load<typeof import("../sync/config.ts")>(new URL("../sync/config.ts", import.meta.url)),
        load<typeof import("../auth/credentials.ts")>(
          new URL("../auth/credentials.ts", import.meta.url),
        ),
        loadResolve(),
        loadNodeId(),
      ]);
      return new SyncRuntimes({
        home: kittifyHome,
        openStore: userKv,
        readSettings: readSyncConfig,
        readCredentials,
        // The identity resolver reads (and caches) the root's config.yaml anyway.
        autoStart: (root) => resolveAtRoot(root).then((r) => r.autoStart, () => true),
        now: Date.now,
        fetch: globalThis.fetch,
        exitBudgetMs: EXIT_BUDGET_MS,
        uptimeMs: () => performance.now(),
        warn,
        nodeId: localNodeId,
      });
    })();
    return this.#runtimes;
  }

  /** The workspace of `cwd`; its repository root is looked up once per process. */
  workspace(cwd: string): Promise<Workspace> {
    let ws = this.#workspaces.get(cwd);
    if (!ws) {
      ws = this.#createWorkspace(cwd);
      this.#workspaces.set(cwd, ws);
      ws.catch(() => this.#workspaces.delete(cwd));
    }
    return ws;
  }

  /** The workspace of `cwd`, which must be inside a repository. */
  async project(cwd: string): Promise<ProjectWorkspace> {
    const ws = await this.workspace(cwd);
    if (ws.root === null) throw new NotInProjectError(cwd);
    return ws as ProjectWorkspace;
  }

  /**
   * A workspace's emitter loads what emitting needs (identity, git, the sync runtimes) when it is
   * first used: a command that reads only, such as `tasks list`, loads none of it.
   */
  async #createWorkspace(cwd: string): Promise<Workspace> {
    const [{ findRepoRoot }, { Emitter }] = await Promise.all([
      load<typeof import("../identity/repo_root.ts")>(
        new URL("../identity/repo_root.ts", import.meta.url),
      ),
      load<typeof import("../sync/emitter.ts")>(new URL("../sync/emitter.ts", import.meta.url)),
    ]);
    const root = await findRepoRoot(cwd);
    const emitter = new Emitter(cwd, root, {
      runtimes: { forRoot: async (root) => (await this.runtimes()).forRoot(root) },
      identity: async (root) => (await loadResolve()).resolveAtRoot(root),
      git: async (dir) => (await loadGitMetadata()).gitMetadata(dir),
      nodeId: async () => (await loadNodeId()).localNodeId(),
      warnOnce,
    });
    return { cwd, root, emitter };
  }

  /** The end of the command: the runtimes make their delivery attempt. */
  async close(): Promise<void> {
    if (this.#runtimes) await (await this.#runtimes).close();
  }
}
