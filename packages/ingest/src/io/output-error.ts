/** An output that cannot be written: one sentence naming the path, the errno kept in `code` for exit codes. */

const WHY: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  EISDIR: 'it is a directory',
  ENOENT: 'no such file or directory',
  ENOTDIR: 'a parent is not a directory',
  EPIPE: 'the reader closed the pipe',
  EIO: 'input/output error',
  EFBIG: 'file too large',
};

export class OutputError extends Error {
  constructor(
    /** the output path as the user gave it */
    readonly path: string,
    /** errno name (ENOSPC, EACCES, …) or EINVAL for a refusal */
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'OutputError';
  }
}

/** Wrap a system error so its message names the output (`cannot write x.arrow: no space left on the device (ENOSPC).`). */
export function outputError(path: string, err: NodeJS.ErrnoException): OutputError {
  if (err instanceof OutputError) return err;
  const code = err.code ?? 'EIO';
  const why = WHY[code] ?? err.message.replace(/^[A-Z]+: /, '').replace(/, \w+ '.*'$/, '');
  return new OutputError(path, code, `cannot write ${path}: ${why} (${code}).`);
}
