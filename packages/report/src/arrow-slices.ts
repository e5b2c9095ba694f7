/**
 * Slices of ingest's Arrow IPC file as Arrow IPC *stream* files, by copying its messages' bytes (no decoding): the
 * schema message, the dictionary batches (ingest writes one complete, non-delta batch per dictionary column, before
 * the footer: io/writer.ts), then record batches [from, to) and the end-of-stream marker. The embedded store inserts a
 * big run's events slice by slice this way (arrow-insert.ts), so each slice's parts can be merged before the next.
 *
 * The file's layout comes from its footer (Arrow columnar format, "IPC File Format": `Footer { version, schema,
 * dictionaries: [Block], recordBatches: [Block] }`, a flatbuffer; `Block { offset: long, metaDataLength: int,
 * bodyLength: long }`, 24 bytes with padding), read here without a flatbuffers library (apache-arrow exports no
 * footer reader). apache-arrow's file writer puts the schema in the footer only (its first message is a record
 * batch), so the stream's schema message is apache-arrow's encoding of the schema its reader takes from the footer
 * (the same dictionary ids).
 */
import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { RecordBatchReader, RecordBatchStreamWriter } from 'apache-arrow';

/** One message of the file: its bytes are `[offset, offset + bytes)` (metadata and body). */
interface Block {
  offset: number;
  bytes: number;
}

export interface ArrowFileLayout {
  /** the schema message, as an IPC stream begins */
  schema: Buffer;
  dictionaries: Block[];
  batches: Block[];
}

const MAGIC = 'ARROW1';
/** continuation marker and a zero length: the stream's end */
const END_OF_STREAM = Buffer.from([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);

/** The messages of an Arrow IPC file, from its footer. */
export async function readArrowFileLayout(file: string): Promise<ArrowFileLayout> {
  const schema = await schemaMessage(file);
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const tail = readAt(fd, size - 10, 10);
    if (tail.toString('latin1', 4) !== MAGIC) throw new Error(`${file}: not an Arrow IPC file (no trailing magic)`);
    const footerBytes = tail.readInt32LE(0);
    const footer = readAt(fd, size - 10 - footerBytes, footerBytes);
    const table = footer.readUInt32LE(0);
    return {
      schema,
      dictionaries: blocks(footer, table, 2),
      batches: blocks(footer, table, 3),
    };
  } finally {
    closeSync(fd);
  }
}

/** The file's schema (its footer's, as apache-arrow reads it) as a stream's first message. */
async function schemaMessage(file: string): Promise<Buffer> {
  const handle = await open(file);
  try {
    const reader = await RecordBatchReader.from(handle);
    await reader.open();
    const writer = new RecordBatchStreamWriter();
    writer.reset(undefined, reader.schema);
    writer.close();
    const stream = writer.toUint8Array(true);
    // the writer ends the stream: keep the schema message only
    return Buffer.from(stream.subarray(0, stream.length - END_OF_STREAM.length));
  } finally {
    await handle.close();
  }
}

/** The vector of Block structs in field `field` of the footer table at `table` (flatbuffers: vtable, then offsets). */
function blocks(footer: Buffer, table: number, field: number): Block[] {
  const vtable = table - footer.readInt32LE(table);
  const slot = 4 + 2 * field;
  const at = slot < footer.readUInt16LE(vtable) ? footer.readUInt16LE(vtable + slot) : 0;
  if (at === 0) return [];
  const vector = table + at + footer.readUInt32LE(table + at);
  const n = footer.readUInt32LE(vector);
  const out: Block[] = [];
  for (let i = 0; i < n; i++) {
    const b = vector + 4 + 24 * i;
    const offset = Number(footer.readBigInt64LE(b));
    out.push({ offset, bytes: footer.readInt32LE(b + 8) + Number(footer.readBigInt64LE(b + 16)) });
  }
  return out;
}

/**
 * Write record batches [from, to) of `file` as an Arrow IPC stream to `out` (the schema and every dictionary first),
 * copying through `buffer`. Returns the bytes written.
 */
export function writeArrowSlice(
  file: string,
  layout: ArrowFileLayout,
  from: number,
  to: number,
  out: string,
  buffer: Buffer,
): number {
  const src = openSync(file, 'r');
  const dst = openSync(out, 'w');
  try {
    let written = 0;
    const copy = (b: Block): void => {
      for (let done = 0; done < b.bytes; ) {
        const n = readSync(src, buffer, 0, Math.min(buffer.length, b.bytes - done), b.offset + done);
        if (n === 0) throw new Error(`${file}: truncated Arrow message at ${b.offset}`);
        writeSync(dst, buffer, 0, n);
        done += n;
      }
      written += b.bytes;
    };
    writeSync(dst, layout.schema);
    written += layout.schema.length;
    for (const d of layout.dictionaries) copy(d);
    for (let i = from; i < to; i++) copy(layout.batches[i]!);
    writeSync(dst, END_OF_STREAM);
    return written + END_OF_STREAM.length;
  } finally {
    closeSync(dst);
    closeSync(src);
  }
}

function readAt(fd: number, position: number, length: number): Buffer {
  const b = Buffer.alloc(length);
  if (readSync(fd, b, 0, length, position) !== length) throw new Error('short read of an Arrow file');
  return b;
}
