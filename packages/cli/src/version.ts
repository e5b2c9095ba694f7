/** The CLI's version, one place: `--version` answers it before anything else loads (main.ts), commander shows it. */
export const VERSION = '0.1.0';
