import type { LoggerService, LogLevel } from '@nestjs/common';

/** One call to the logger, as Nest made it. */
export interface LogEntry {
  level: LogLevel;
  message: string;
  /** Everything after the message: a context, and for `error` possibly a stack. */
  params: unknown[];
}

/**
 * A logger that keeps every call, so a test can assert on what the host logged: the level,
 * the text, and whether a stack came with it. Give it to `startHost({ logger })`.
 *
 * @example
 * const logger = new RecordingLogger();
 * await startHost({ logger });
 * expect(logger.at('error')).toEqual([]);
 */
export class RecordingLogger implements LoggerService {
  readonly entries: LogEntry[] = [];

  log(message: unknown, ...params: unknown[]) {
    this.record('log', message, params);
  }
  error(message: unknown, ...params: unknown[]) {
    this.record('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]) {
    this.record('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]) {
    this.record('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]) {
    this.record('verbose', message, params);
  }
  fatal(message: unknown, ...params: unknown[]) {
    this.record('fatal', message, params);
  }

  /** The entries of one level, optionally of one context (Nest passes it last). */
  at(level: LogLevel, context?: string): LogEntry[] {
    return this.entries.filter(
      (entry) =>
        entry.level === level && (context === undefined || entry.params.at(-1) === context),
    );
  }

  /** Each entry as the one line a console logger would print, stack and all. */
  lines(): string[] {
    return this.entries.map((entry) =>
      [entry.level, entry.message, ...entry.params.map((param) => String(param))].join(' '),
    );
  }

  private record(level: LogLevel, message: unknown, params: unknown[]) {
    const text =
      message instanceof Error ? `${message.message}\n${message.stack ?? ''}` : String(message);
    this.entries.push({ level, message: text, params });
  }
}
