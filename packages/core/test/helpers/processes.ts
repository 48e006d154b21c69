// Waiting for a child process to say something, with a deadline and a report of what it said.
import type { ChildProcess } from 'node:child_process';

/** Resolves with the first line of `child`'s output matching `pattern`; rejects, saying what it saw, if it exits or `deadline` ms pass. */
export function lineOf(child: ChildProcess, pattern: RegExp, deadline: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const stop = (error?: Error, line?: string): void => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve(line as string);
    };
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString();
      const line = seen.split('\n').find((text) => pattern.test(text));
      if (line !== undefined) stop(undefined, line);
    };
    const onExit = (code: number | null): void =>
      stop(new Error(`exited (${String(code)}) before ${String(pattern)}; it printed: ${seen}`));
    const timer = setTimeout(
      () => stop(new Error(`no ${String(pattern)} in ${deadline} ms; it printed: ${seen}`)),
      deadline,
    );
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', onExit);
  });
}
