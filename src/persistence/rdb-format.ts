/**
 * The RDB format's numbers, in one table (Redis's rdb.h): value type bytes,
 * opcodes, length and string encodings, and the versions we read and write.
 * Facts only; the reader and writer own the logic.
 */

/** What Redis 7.0 writes; we write it too and read 1..10. */
export const RDB_VERSION = 10;
export const RDB_MIN_VERSION = 1;
/** Checksum trailer exists from version 5 on. */
export const RDB_FIRST_VERSION_WITH_CHECKSUM = 5;

/** Value type bytes (rdb.h RDB_TYPE_*). */
export const enum RdbType {
  String = 0,
  List = 1,
  Set = 2,
  Zset = 3,
  Hash = 4,
  Zset2 = 5,
  Module = 6,
  Module2 = 7,
  HashZipmap = 9,
  ListZiplist = 10,
  SetIntset = 11,
  ZsetZiplist = 12,
  HashZiplist = 13,
  ListQuicklist = 14,
  StreamListpacks = 15,
  HashListpack = 16,
  ZsetListpack = 17,
  ListQuicklist2 = 18,
  StreamListpacks2 = 19,
}

/** Opcodes: bytes where a value type would be (rdb.h RDB_OPCODE_*). */
export const enum RdbOpcode {
  Function = 246,
  Function2 = 245,
  ModuleAux = 247,
  Idle = 248,
  Freq = 249,
  Aux = 250,
  ResizeDb = 251,
  ExpireTimeMs = 252,
  ExpireTime = 253,
  SelectDb = 254,
  Eof = 255,
}

/** Length encoding: the top two bits of the first byte. */
export const enum RdbLen {
  Bits6 = 0,
  Bits14 = 1,
  /** 0x80 + u32 big-endian, 0x81 + u64 big-endian. */
  Bits32Marker = 0x80,
  Bits64Marker = 0x81,
  /** 11xxxxxx: a special string encoding follows in the low 6 bits. */
  Encoded = 3,
}

/** Special string encodings (the low 6 bits after 11). */
export const enum RdbEnc {
  Int8 = 0,
  Int16 = 1,
  Int32 = 2,
  Lzf = 3,
}

/** QUICKLIST_2 node containers (quicklist.h). */
export const enum QuicklistContainer {
  Plain = 1,
  Packed = 2,
}

/** Module value opcodes (rdb.h RDB_MODULE_OPCODE_*), needed to skip module data. */
export const enum ModuleOpcode {
  Eof = 0,
  Sint = 1,
  Uint = 2,
  Float = 3,
  Double = 4,
  String = 5,
}

/** Old ZSET (type 3) text doubles: these length bytes mean NaN, +inf, -inf. */
export const DOUBLE_NAN_LEN = 253;
export const DOUBLE_POS_INF_LEN = 254;
export const DOUBLE_NEG_INF_LEN = 255;

/** Redis only tries LZF on strings longer than this (rdbSaveRawString). */
export const LZF_MIN_LENGTH = 20;

/** Names of the value types, for error messages and logs. */
export function rdbTypeName(type: number): string {
  switch (type) {
    case RdbType.String:
      return 'string';
    case RdbType.List:
    case RdbType.ListZiplist:
    case RdbType.ListQuicklist:
    case RdbType.ListQuicklist2:
      return 'list';
    case RdbType.Set:
    case RdbType.SetIntset:
      return 'set';
    case RdbType.Zset:
    case RdbType.Zset2:
    case RdbType.ZsetZiplist:
    case RdbType.ZsetListpack:
      return 'zset';
    case RdbType.Hash:
    case RdbType.HashZipmap:
    case RdbType.HashZiplist:
    case RdbType.HashListpack:
      return 'hash';
    case RdbType.StreamListpacks:
    case RdbType.StreamListpacks2:
      return 'stream';
    case RdbType.Module:
    case RdbType.Module2:
      return 'module';
    default:
      return `unknown type ${type}`;
  }
}

/**
 * Module type ids are 64 bits: nine 6-bit characters of this charset, then a
 * 10-bit encoding version (moduleTypeNameByID in module.c). Used to name the
 * module in logs when its data is skipped.
 */
const MODULE_ID_CHARSET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

export function moduleTypeName(id: bigint): string {
  let name = '';
  let bits = id >> 10n;
  for (let i = 0; i < 9; i++) {
    name = MODULE_ID_CHARSET[Number(bits & 63n)] + name;
    bits >>= 6n;
  }
  return name;
}
