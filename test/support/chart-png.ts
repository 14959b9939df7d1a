// Checks that bytes are a whole, valid PNG the way an image viewer reads them: signature, every
// chunk's CRC, and image data that inflates to exactly the rows the header promises.
import { crc32, inflateSync } from 'node:zlib';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

export function decodePng(png: Buffer): { width: number; height: number } {
  if (!png.subarray(0, 8).equals(SIGNATURE)) throw new Error('not a PNG: bad signature');
  let offset = 8;
  let width = 0;
  let height = 0;
  let bytesPerPixel = 0;
  const data: Buffer[] = [];
  let ended = false;
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('latin1', offset + 4, offset + 8);
    const body = png.subarray(offset + 8, offset + 8 + length);
    const crc = png.readUInt32BE(offset + 8 + length);
    if (crc32(png.subarray(offset + 4, offset + 8 + length)) !== crc) throw new Error(`bad CRC in ${type} chunk`);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      const bitDepth = body.readUInt8(8);
      bytesPerPixel = Math.max(1, ((CHANNELS[body.readUInt8(9)] ?? 0) * bitDepth) / 8);
    }
    if (type === 'IDAT') data.push(body);
    if (type === 'IEND') ended = true;
    offset += 12 + length;
  }
  if (!ended) throw new Error('PNG has no IEND chunk');
  const raw = inflateSync(Buffer.concat(data));
  if (raw.length !== height * (1 + width * bytesPerPixel)) throw new Error(`image data is ${raw.length} bytes, expected ${height * (1 + width * bytesPerPixel)}`);
  return { width, height };
}
