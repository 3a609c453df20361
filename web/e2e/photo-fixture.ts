/**
 * A small real JPEG (64×48, made by ffmpeg's test pattern) and a way to give it EXIF
 * saying where it was taken, as a phone's camera does: for the tests that check a
 * photo's location never leaves the phone unless the reporter chooses to share it.
 */

export const PLAIN_JPEG = Buffer.from(
  '/9j/4AAQSkZJRgABAgAAAQABAAD//gAQTGF2YzU5LjM3LjEwMAD/2wBDAAgQEBMQExYWFhYWFhoYGhsbGxoaGhobGxsdHR0iIiIdHR0bGx0dICAiIiUmJSMjIiMmJigoKDAwLi44ODpFRVP/xACxAAACAgMBAQAAAAAAAAAAAAAABwYIBAUDAgEBAAIDAQEBAAAAAAAAAAAAAAAGBwQIBQIBEAABAwIDAgcKDwEBAAAAAAABAgARBAMSBSFBMTJRcWEiEwaiFcGB0pKC4UNEs8OjwtHThOPiQqFidCNzkTURAAEDAgMCBwwJBQEAAAAAAAEAAgMEETEhBRMGQUODEmHSgYLiwsOjkcFRROMWQtFx0yIUMvCioSNyUpJjNP/AABEIADAAQAMBEgACEgADEgD/2gAMAwEAAhEDEQA/AK/vcZfRrzCqs0yNDdVE6dFI1UqCUzhSCYmTEBiEITWoqI1Bxr0tju+Yc3GfEGwEITbSEpEAbg6FJSGY852TB+7oHR6z5k7MY1jQ1osBgE17w7wt0xpp6ch1U4dBEAPzOGBeRm1p/udlYHMFRUS1Ur5pnmSR5u5xxPoAAyAGQGQyS8JKjJ1L8tliiZAxscbQ1rRYAfrH1k5kqwtqwwx00bYomhjGCzWjg9JJxJOZOZVpLNja0LP6FcVjwAhNSEst7+tva4tIc0kEG4INiCMCD614UBNc5jg5pLXNIIINiCMCCMwQvCwaKv6w9XdPSPBVoMXMY0B4uPlcFBIIIMEagjY5bpK3aHmSH73yuwv0Hgv6vX9aTgSDcZEcKlfeHdgUjTVUTTsWj+rFcuMduMaSS5zOF1yS3H8uGj3sbI1zXNDmuBa5rgCHA5EEHIgjEK2Lh+RZj3zoLd4mbif67v8AokCTwUjpAhcJEDFGxtSFAiEjOxaEqzK4SkEpp1qSSASk47aZHEYJEjYSH07Ff+je/ir+FtMQhCabG1oWf0JasbShbrQlmxtaFn9CuKx4AQmpCWbG2IWf0JasbShbqQpv2GWoprU4jhBsKCZMAq6wEgbpISJO2A/HYX3/AOz/ABra0KAEKNZLQqpauzUpugm2T0SgwQpJSoSF6GCYOsHYXE7OdVNjgosnlCvAsNck1DZ8Xfuu9Vh9BFJiX9hHVTdNpWy42/cW8JVJNTmlxbH2B3WVkup6OKf09bhdNnKlnBeCEg7lAEQf3So6c+x1fiTO34byvu1y4NOpXPtK+Vt8CHNsD03YcungUQzaBsfaL8nbxhUza1pdQ2nMtGNq5ly+J4u5zf8Anzeb94f42JdwZ5HiuhwHhz6PrfBdZcUdUpHiP0t2ZvPz/Zbct7pdOPd2isHNlncCAQQ+Mgg4EER5hcGbevZH/wAl+Wt4pdR27VBUAPEs5DgCC18ZBBwIOzNwVoRkE+8fJ/ePXDPakfks+avy21wa/tvZ7cpfxYXRi0KmhwfN2uZ1FDB1a3E/v71XDpcB+aTzt6qcNRm3UeyxenHzS8y9ldi/wlXByFPhSXC8e6W09rtyPvVxmb1V0eEdN2tk+1XWh1ra8TblL+Ar8ej08WDpe0t6iUnffpYep7v8Dze9VjFOK7/1PkuRfhLK/wCL8j71cb4qrrW2dN/rJ9qlqHSdtx1u4v4QVOLVJ4sGx9od1lokIxjfDlFFQKUkm7iQNwG5XKZ3DxatgfoPM9ovyffrpw1tVMCZWRsHAA1wd9Zu42C1fDVbUflt239Ch3Vd44dPc2GgMdQ4ZvkcefEARk1pjLec7hJBs3DM3t1yjME5NSmwLRvFVxVxSjcCRJAGicBgQkbydZPM2CezlIfaX/OR9W1qdux6f4+lfJXGbH+P0U6jRL8f5Pv1QGs1A+SLzO66/9k=',
  'base64',
);

/** The JPEG with an EXIF block holding this orientation and GPS position (degrees, minutes, seconds). */
export function jpegWithLocation(latitude: number, longitude: number, orientation = 6): Buffer {
  const tiff = Buffer.alloc(140);
  tiff.write('MM', 0, 'latin1');
  tiff.writeUInt16BE(42, 2);
  tiff.writeUInt32BE(8, 4);
  const entry = (at: number, tag: number, type: number, count: number, value: number | string) => {
    tiff.writeUInt16BE(tag, at);
    tiff.writeUInt16BE(type, at + 2);
    tiff.writeUInt32BE(count, at + 4);
    if (typeof value === 'string') tiff.write(value, at + 8, 'latin1');
    else if (type === 3) tiff.writeUInt16BE(value, at + 8);
    else tiff.writeUInt32BE(value, at + 8);
  };
  // IFD0: orientation, and where the GPS IFD is.
  tiff.writeUInt16BE(2, 8);
  entry(10, 0x0112, 3, 1, orientation);
  entry(22, 0x8825, 4, 1, 38);
  // GPS IFD at 38: reference letters inline, the three rationals of each angle at 92 and 116.
  tiff.writeUInt16BE(4, 38);
  entry(40, 1, 2, 2, latitude < 0 ? 'S\0' : 'N\0');
  entry(52, 2, 5, 3, 92);
  entry(64, 3, 2, 2, longitude < 0 ? 'W\0' : 'E\0');
  entry(76, 4, 5, 3, 116);
  const rationals = (at: number, degrees: number) => {
    const abs = Math.abs(degrees);
    const d = Math.floor(abs);
    const m = Math.floor((abs - d) * 60);
    const s = Math.round(((abs - d) * 60 - m) * 60 * 10000);
    [[d, 1], [m, 1], [s, 10000]].forEach(([n, q], i) => {
      tiff.writeUInt32BE(n!, at + i * 8);
      tiff.writeUInt32BE(q!, at + i * 8 + 4);
    });
  };
  rationals(92, latitude);
  rationals(116, longitude);
  const body = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
  const header = Buffer.from([0xff, 0xe1, (body.length + 2) >> 8, (body.length + 2) & 0xff]);
  // After SOI and the JFIF APP0 segment, as a camera writes it.
  const app0End = 4 + PLAIN_JPEG.readUInt16BE(4);
  return Buffer.concat([PLAIN_JPEG.subarray(0, app0End), header, body, PLAIN_JPEG.subarray(app0End)]);
}
