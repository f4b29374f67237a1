// Runs a command to its end without blocking the event loop (a test may serve what the command downloads),
// collecting stdout and stderr together.
import { spawn } from 'node:child_process';

export interface Finished {
  code: number | null;
  output: string;
}

export function runCommand(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<Finished> {
  return new Promise<Finished>((ok, fail) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', fail);
    child.once('close', (code) => ok({ code, output }));
  });
}
