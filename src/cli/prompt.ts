// Reads passwords from standard input without echoing them on a terminal. Piped input is read line by line,
// so `printf 'pw\npw\n' | midge passwd file user` works as it does with mosquitto_passwd.
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';

export interface PromptIo {
  input: NodeJS.ReadableStream & { isTTY?: boolean };
  output: NodeJS.WritableStream;
}

/** Asks each question in turn and returns the answers; throws when the input ends first. */
export async function askSecrets(io: PromptIo, questions: readonly string[]): Promise<string[]> {
  const terminal = io.input.isTTY === true;
  // On a terminal readline echoes what is typed to its output: give it one that discards everything.
  const silent = new Writable({ write: (_chunk, _encoding, done) => done() });
  const reader = createInterface({ input: io.input, output: silent, terminal });
  const lines = reader[Symbol.asyncIterator]();
  const answers: string[] = [];
  try {
    for (const question of questions) {
      io.output.write(question);
      const next = await lines.next();
      io.output.write('\n');
      if (next.done === true) throw new Error('no password given (standard input ended)');
      answers.push(next.value);
    }
  } finally {
    reader.close();
  }
  return answers;
}
