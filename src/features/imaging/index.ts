export { IMAGE_SIZE, GRAY_CLIP, layRow, toImages, toGray, grayImage } from './layout.js';
export { PNG_SIGNATURE, crc32, encodeGrayPng } from './png.js';
