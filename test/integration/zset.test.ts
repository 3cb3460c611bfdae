/**
 * Sorted-set commands against the real server process: reply bytes side by
 * side with Redis 7.0 in RESP2 and RESP3 (scores, ranges, options, errors,
 * encodings), keyspace notifications compared with Redis's, then the random
 * and scanning commands, the blocking pops and replication of the rewritten
 * pops, checked for their guarantees.
 */
import Redis from 'ioredis';
import { closeClients, startServer, RunningServer } from '../helpers/server';
import { describeWithRedis } from '../helpers/reference';
import { keyspaceEvents, replyMismatches, ReplyReader, sideBySide } from '../helpers/compare';

const pairs = (n: number, score: (i: number) => number, prefix = 'm'): string[] => {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(String(score(i)), `${prefix}${i}`);
  return out;
};

const CASES: string[][] = [
  // Scores and their printing (%.17g).
  ['ZADD', 'z', '1', 'a', '2', 'b', '0.1', 'c', '-0', 'd', '1e100', 'e', '-inf', 'f', '+inf', 'g', '1.5e-7', 'h', '123456789012345678', 'i'],
  ['ZRANGE', 'z', '0', '-1', 'WITHSCORES'],
  ['ZSCORE', 'z', 'c'],
  ['ZSCORE', 'z', 'd'],
  ['ZSCORE', 'z', 'f'],
  ['ZSCORE', 'z', 'nope'],
  ['ZSCORE', 'nokey', 'a'],
  ['ZMSCORE', 'z', 'a', 'nope', 'g'],
  ['ZMSCORE', 'nokey', 'a', 'b'],
  ['ZCARD', 'z'],
  ['ZCARD', 'nokey'],
  ['ZRANK', 'z', 'a'],
  ['ZRANK', 'z', 'f'],
  ['ZRANK', 'z', 'nope'],
  ['ZRANK', 'nokey', 'a'],
  ['ZREVRANK', 'z', 'a'],
  ['ZREVRANK', 'z', 'g'],
  // Score parsing as getDoubleFromObject.
  ['ZADD', 'p', '1e400', 'x'],
  ['ZADD', 'p', '-1e400', 'x'],
  ['ZADD', 'p', '1e-400', 'x'],
  ['ZADD', 'p', 'nan', 'x'],
  ['ZADD', 'p', ' 1', 'x'],
  ['ZADD', 'p', '1 ', 'x'],
  ['ZADD', 'p', '', 'x'],
  ['ZADD', 'p', '1e', 'x'],
  ['ZADD', 'p', '.5', 'x', '5.', 'y', '1E+2', 'w', 'INF', 'v', '-Infinity', 'u', '1e-320', 't'],
  ['ZRANGE', 'p', '0', '-1', 'WITHSCORES'],
  // Options.
  ['ZADD', 'o', '1', 'a', '2', 'b'],
  ['ZADD', 'o', 'NX', '5', 'a', '3', 'c'],
  ['ZADD', 'o', 'XX', '5', 'a', '4', 'd'],
  ['ZADD', 'o', 'XX', 'CH', '6', 'a', '2', 'b'],
  ['ZADD', 'o', 'CH', '6', 'a', '7', 'b', '1', 'e'],
  ['ZADD', 'o', 'GT', 'CH', '1', 'a', '10', 'b', '1', 'f'],
  ['ZADD', 'o', 'LT', 'CH', '1', 'a', '10', 'b'],
  ['ZADD', 'o', 'XX', 'GT', '100', 'a', '100', 'zz'],
  ['ZRANGE', 'o', '0', '-1', 'WITHSCORES'],
  ['ZADD', 'o', 'INCR', '2.5', 'a'],
  ['ZADD', 'o', 'INCR', 'NX', '2.5', 'a'],
  ['ZADD', 'o', 'INCR', 'XX', '2.5', 'missing'],
  ['ZADD', 'o', 'INCR', 'GT', '-1', 'a'],
  ['ZADD', 'o', 'INCR', 'LT', '-1', 'a'],
  ['ZADD', 'o', 'INCR', '1', 'new'],
  ['ZADD', 'o', 'NX', 'XX', '1', 'a'],
  ['ZADD', 'o', 'NX', 'GT', '1', 'a'],
  ['ZADD', 'o', 'NX', 'LT', '1', 'a'],
  ['ZADD', 'o', 'GT', 'LT', '1', 'a'],
  ['ZADD', 'o', 'INCR', '1', 'a', '2', 'b'],
  ['ZADD', 'o', 'NX', 'XX', '1', 'a', '2'],
  ['ZADD', 'o', 'XX', '1'],
  ['ZADD', 'o', 'abc', 'a'],
  ['ZADD', 'o', '1', 'a', 'abc', 'b'],
  ['ZADD', 'o', 'nx'],
  ['ZADD', 'o', 'FOO', '1', 'a'],
  ['ZADD', 'xxnew', 'XX', '1', 'a'],
  ['EXISTS', 'xxnew'],
  ['ZADD', 'xxnew', 'XX', 'INCR', '1', 'a'],
  ['ZADD', 'inf', '+inf', 'a'],
  ['ZINCRBY', 'inf', '-inf', 'a'],
  ['ZADD', 'inf', 'INCR', '-inf', 'a'],
  ['ZSCORE', 'inf', 'a'],
  ['ZINCRBY', 'o', '1.5', 'a'],
  ['ZINCRBY', 'o', 'x', 'a'],
  ['ZINCRBY', 'o', '1', 'brandnew'],
  ['ZINCRBY', 'incrnew', '0.1', 'a'],
  ['ZINCRBY', 'incrnew', '0.2', 'a'],
  ['ZADD', 'same', '1', 'a'],
  ['ZADD', 'same', 'CH', '1', 'a'],
  ['ZADD', 'same', 'CH', '-0', 'a'],
  ['ZSCORE', 'same', 'a'],
  // ZREM and key deletion.
  ['ZREM', 'o', 'a', 'nope', 'b'],
  ['ZREM', 'nokey', 'a'],
  ['ZREM', 'same', 'a'],
  ['EXISTS', 'same'],
  // Counting.
  ['ZCOUNT', 'z', '-inf', '+inf'],
  ['ZCOUNT', 'z', '(1', '2'],
  ['ZCOUNT', 'z', '(1', '(2'],
  ['ZCOUNT', 'z', '1', '(1'],
  ['ZCOUNT', 'z', '2', '1'],
  ['ZCOUNT', 'z', '', ''],
  ['ZCOUNT', 'z', '(', '(5'],
  ['ZCOUNT', 'z', ' 1', '\t2'],
  ['ZCOUNT', 'z', '1e400', '+inf'],
  ['ZCOUNT', 'z', '-1e999', '(0.1'],
  ['ZCOUNT', 'z', 'x', '1'],
  ['ZCOUNT', 'z', '1', 'nan'],
  ['ZCOUNT', 'z', '((1', '2'],
  ['ZCOUNT', 'z', '  ', '2'],
  ['ZCOUNT', 'nokey', '0', '1'],
  ['ZCOUNT', 'nokey', 'x', '1'],
  ['ZADD', 'lex', '0', 'a', '0', 'b', '0', 'c', '0', 'd', '0', 'e', '0', 'aa', '0', '', '0', '\u00ff'],
  ['ZLEXCOUNT', 'lex', '-', '+'],
  ['ZLEXCOUNT', 'lex', '[b', '(d'],
  ['ZLEXCOUNT', 'lex', '(a', '[aa'],
  ['ZLEXCOUNT', 'lex', '+', '-'],
  ['ZLEXCOUNT', 'lex', '-', '-'],
  ['ZLEXCOUNT', 'lex', '[', '('],
  ['ZLEXCOUNT', 'lex', 'a', '+'],
  ['ZLEXCOUNT', 'lex', '-', 'c'],
  ['ZLEXCOUNT', 'lex', '+x', '+'],
  ['ZLEXCOUNT', 'nokey', '-', '+'],
  ['ZLEXCOUNT', 'nokey', 'x', '+'],
  // The ZRANGE family.
  ['ZRANGE', 'z', '0', '2'],
  ['ZRANGE', 'z', '-3', '-1', 'WITHSCORES'],
  ['ZRANGE', 'z', '5', '2'],
  ['ZRANGE', 'z', '100', '200'],
  ['ZRANGE', 'z', '-100', '1'],
  ['ZRANGE', 'z', '0', '9223372036854775807'],
  ['ZRANGE', 'z', '-9223372036854775808', '0'],
  ['ZRANGE', 'z', 'x', '1'],
  ['ZRANGE', 'z', '0', '-1', 'REV'],
  ['ZRANGE', 'z', '0', '1', 'REV', 'WITHSCORES'],
  ['ZRANGE', 'z', '0', '1', 'LIMIT', '0', '1'],
  ['ZRANGE', 'z', '0', '1', 'LIMIT', '0', '-1'],
  ['ZRANGE', 'z', '0', '1', 'LIMIT', '0'],
  ['ZRANGE', 'z', '0', '1', 'LIMIT', 'x', '1', 'BYSCORE'],
  ['ZRANGE', 'z', '0', '1', 'FOO'],
  ['ZRANGE', 'z', '0', '1', 'BYSCORE', 'BYLEX'],
  ['ZRANGE', 'z', '0', '1', 'REV', 'REV'],
  ['ZRANGE', 'z', '(0', '+inf', 'BYSCORE'],
  ['ZRANGE', 'z', '+inf', '(0', 'BYSCORE', 'REV', 'WITHSCORES'],
  ['ZRANGE', 'z', '-inf', '+inf', 'BYSCORE', 'LIMIT', '1', '3'],
  ['ZRANGE', 'z', '-inf', '+inf', 'BYSCORE', 'LIMIT', '1', '-1'],
  ['ZRANGE', 'z', '-inf', '+inf', 'BYSCORE', 'LIMIT', '-1', '2'],
  ['ZRANGE', 'z', '-inf', '+inf', 'BYSCORE', 'LIMIT', '9', '2'],
  ['ZRANGE', 'z', '-inf', '+inf', 'BYSCORE', 'LIMIT', '8', '2'],
  ['ZRANGE', 'z', '-inf', '+inf', 'BYSCORE', 'LIMIT', '0', '0'],
  ['ZRANGE', 'z', '+inf', '-inf', 'BYSCORE', 'REV', 'LIMIT', '2', '2', 'WITHSCORES'],
  ['ZRANGE', 'z', 'a', 'b', 'BYSCORE'],
  ['ZRANGE', 'lex', '-', '+', 'BYLEX'],
  ['ZRANGE', 'lex', '[b', '+', 'BYLEX', 'LIMIT', '1', '2'],
  ['ZRANGE', 'lex', '+', '(b', 'BYLEX', 'REV'],
  ['ZRANGE', 'lex', '+', '[b', 'BYLEX', 'REV', 'LIMIT', '0', '2'],
  ['ZRANGE', 'lex', '-', '+', 'BYLEX', 'WITHSCORES'],
  ['ZRANGE', 'lex', 'b', '+', 'BYLEX'],
  ['ZRANGE', 'nokey', '0', '-1'],
  ['ZRANGE', 'nokey', '0', '-1', 'LIMIT', '0', '1'],
  ['ZRANGE', 'nokey', 'x', '-1'],
  ['ZREVRANGE', 'z', '0', '2', 'WITHSCORES'],
  ['ZREVRANGE', 'z', '0', '2', 'REV'],
  ['ZREVRANGE', 'z', '0', '2', 'BYSCORE'],
  ['ZRANGEBYSCORE', 'z', '0', '2', 'WITHSCORES'],
  ['ZRANGEBYSCORE', 'z', '(0', '2', 'LIMIT', '1', '1'],
  ['ZRANGEBYSCORE', 'z', '0', '2', 'LIMIT', '1'],
  ['ZRANGEBYSCORE', 'z', '0', '2', 'BYLEX'],
  ['ZRANGEBYSCORE', 'z', '0', '2', 'REV'],
  ['ZREVRANGEBYSCORE', 'z', '2', '0', 'WITHSCORES'],
  ['ZREVRANGEBYSCORE', 'z', '0', '2'],
  ['ZREVRANGEBYSCORE', 'z', '+inf', '-inf', 'LIMIT', '0', '3'],
  ['ZRANGEBYLEX', 'lex', '-', '+'],
  ['ZRANGEBYLEX', 'lex', '(a', '(c', 'LIMIT', '0', '10'],
  ['ZRANGEBYLEX', 'lex', '-', '+', 'WITHSCORES'],
  ['ZRANGEBYLEX', 'lex', 'x', '+'],
  ['ZREVRANGEBYLEX', 'lex', '+', '-'],
  ['ZREVRANGEBYLEX', 'lex', '[d', '[b'],
  ['ZREVRANGEBYLEX', 'lex', '[b', '[d'],
  // ZRANGESTORE.
  ['ZRANGESTORE', 'dst', 'z', '0', '2'],
  ['ZRANGE', 'dst', '0', '-1', 'WITHSCORES'],
  ['OBJECT', 'ENCODING', 'dst'],
  ['ZRANGESTORE', 'dst', 'z', '(1', '+inf', 'BYSCORE', 'LIMIT', '0', '2'],
  ['ZRANGE', 'dst', '0', '-1', 'WITHSCORES'],
  ['ZRANGESTORE', 'dst', 'lex', '[b', '[d', 'BYLEX', 'REV'],
  ['ZRANGE', 'dst', '0', '-1'],
  ['ZRANGESTORE', 'dst', 'z', '0', '1', 'WITHSCORES'],
  ['ZRANGESTORE', 'dst', 'z', '5', '1'],
  ['EXISTS', 'dst'],
  ['ZRANGESTORE', 'dst', 'nokey', '0', '-1'],
  ['SET', 'str', 'x'],
  ['ZRANGESTORE', 'str', 'z', '0', '0'],
  ['TYPE', 'str'],
  ['ZRANGESTORE', 'z2', 'z', '0', '-1'],
  ['ZRANGESTORE', 'z2', 'z2', '1', '2'],
  ['ZRANGE', 'z2', '0', '-1'],
  ['SET', 'str', 'x'],
  // ZREMRANGEBY*.
  ['ZADD', 'r', '1', 'a', '2', 'b', '3', 'c', '4', 'd', '5', 'e', '6', 'f'],
  ['ZREMRANGEBYRANK', 'r', '0', '0'],
  ['ZREMRANGEBYRANK', 'r', '-2', '-1'],
  ['ZREMRANGEBYRANK', 'r', '5', '1'],
  ['ZREMRANGEBYRANK', 'r', 'x', '1'],
  ['ZREMRANGEBYSCORE', 'r', '(2', '3'],
  ['ZREMRANGEBYSCORE', 'r', 'x', '3'],
  ['ZREMRANGEBYSCORE', 'r', '10', '20'],
  ['ZRANGE', 'r', '0', '-1', 'WITHSCORES'],
  ['ZREMRANGEBYLEX', 'lex', '[b', '(d'],
  ['ZREMRANGEBYLEX', 'lex', 'b', '(d'],
  ['ZRANGE', 'lex', '0', '-1'],
  ['ZREMRANGEBYRANK', 'r', '0', '-1'],
  ['EXISTS', 'r'],
  ['ZREMRANGEBYRANK', 'nokey', '0', '-1'],
  ['ZREMRANGEBYSCORE', 'nokey', 'x', '1'],
  // Pops.
  ['ZADD', 'pq', '1', 'a', '2', 'b', '3', 'c', '4', 'd'],
  ['ZPOPMIN', 'pq'],
  ['ZPOPMAX', 'pq'],
  ['ZPOPMIN', 'pq', '0'],
  ['ZPOPMIN', 'pq', '-1'],
  ['ZPOPMIN', 'pq', 'x'],
  ['ZPOPMIN', 'pq', '1', '2'],
  ['ZPOPMAX', 'pq', '10'],
  ['EXISTS', 'pq'],
  ['ZPOPMIN', 'nokey'],
  ['ZPOPMIN', 'nokey', '3'],
  ['ZPOPMAX', 'str'],
  ['ZADD', 'pq', '1', 'a', '2', 'b', '3', 'c', '4', 'd'],
  ['ZMPOP', '1', 'pq', 'MIN'],
  ['ZMPOP', '2', 'nokey', 'pq', 'MAX', 'COUNT', '2'],
  ['ZMPOP', '2', 'nokey', 'nokey2', 'MIN'],
  ['ZMPOP', '2', 'nokey', 'str', 'MIN'],
  ['ZMPOP', '2', 'pq', 'str', 'MIN', 'COUNT', '10'],
  ['EXISTS', 'pq'],
  ['ZMPOP', '0', 'pq', 'MIN'],
  ['ZMPOP', 'x', 'pq', 'MIN'],
  ['ZMPOP', '-1', 'pq', 'MIN'],
  ['ZMPOP', '2', 'pq', 'MIN'],
  ['ZMPOP', '1', 'pq', 'MIDDLE'],
  ['ZMPOP', '1', 'pq', 'MIN', 'COUNT', '0'],
  ['ZMPOP', '1', 'pq', 'MIN', 'COUNT', '-1'],
  ['ZMPOP', '1', 'pq', 'MIN', 'COUNT'],
  ['ZMPOP', '1', 'pq', 'MIN', 'COUNT', '1', 'COUNT', '2'],
  ['ZMPOP', '1', 'pq', 'MIN', 'FOO'],
  // Blocking pops when they need not block, and their argument errors.
  ['ZADD', 'bz', '1', 'a', '2', 'b', '3', 'c', '4', 'd'],
  ['BZPOPMIN', 'nokey', 'bz', '0'],
  ['BZPOPMAX', 'bz', 'nokey', '0'],
  ['BZMPOP', '0', '2', 'nokey', 'bz', 'MAX', 'COUNT', '5'],
  ['EXISTS', 'bz'],
  ['ZADD', 'bz', '1', 'a'],
  ['BZMPOP', '0', '1', 'bz', 'MIN'],
  ['BZPOPMIN', 'str', 'bz', '0'],
  ['BZPOPMIN', 'nokey', '-1'],
  ['BZPOPMIN', 'nokey', 'x'],
  ['BZPOPMIN', 'nokey', '0.01'],
  ['BZMPOP', '0.01', '1', 'nokey', 'MIN'],
  ['BZMPOP', '0', '0', 'bz', 'MIN'],
  ['BZMPOP', 'x', '1', 'bz', 'MIN'],
  ['BZMPOP', '0', '1', 'bz', 'MIN', 'COUNT', '0'],
  ['BZMPOP', '0', '1', 'str', 'MIN'],
  // ZRANDMEMBER (only its deterministic answers).
  ['ZRANDMEMBER', 'nokey'],
  ['ZRANDMEMBER', 'nokey', '5'],
  ['ZRANDMEMBER', 'nokey', '5', 'WITHSCORES'],
  ['ZRANDMEMBER', 'z', '0'],
  ['ZRANDMEMBER', 'z', '0', 'WITHSCORES'],
  ['ZRANDMEMBER', 'z', '100'],
  ['ZRANDMEMBER', 'z', '100', 'WITHSCORES'],
  ['ZRANDMEMBER', 'z', '1', 'FOO'],
  ['ZRANDMEMBER', 'z', '1', 'WITHSCORES', 'x'],
  ['ZRANDMEMBER', 'z', 'x'],
  ['ZRANDMEMBER', 'z', '-9223372036854775808'],
  ['ZRANDMEMBER', 'z', '9223372036854775807', 'WITHSCORES'],
  ['ZRANDMEMBER', 'z', '-4611686018427387904', 'WITHSCORES'],
  ['ZRANDMEMBER', 'str', '1'],
  ['ZRANDMEMBER', 'str'],
  ['ZADD', 'solo', '7', 'only'],
  ['ZRANDMEMBER', 'solo'],
  ['ZRANDMEMBER', 'solo', '-3', 'WITHSCORES'],
  ['ZRANDMEMBER', 'solo', '1', 'WITHSCORES'],
  // Set operations, with plain sets as inputs (score 1).
  ['ZADD', 'u1', '1', 'a', '2', 'b', '3', 'c'],
  ['ZADD', 'u2', '10', 'b', '20', 'c', '30', 'd'],
  ['SADD', 'sset', 'c', 'd', 'x'],
  ['ZUNION', '2', 'u1', 'u2', 'WITHSCORES'],
  ['ZUNION', '3', 'u1', 'u2', 'sset', 'WITHSCORES', 'WEIGHTS', '1', '0.5', '100'],
  ['ZUNION', '2', 'u1', 'u2', 'AGGREGATE', 'MIN', 'WITHSCORES'],
  ['ZUNION', '2', 'u1', 'u2', 'AGGREGATE', 'max', 'WITHSCORES'],
  ['ZUNION', '2', 'u1', 'nokey'],
  ['ZUNION', '2', 'u1', 'u2', 'WEIGHTS', '1'],
  ['ZUNION', '2', 'u1', 'u2', 'WEIGHTS', '1', 'x'],
  ['ZUNION', '2', 'u1', 'u2', 'WEIGHTS', '1', '1e400'],
  ['ZUNION', '2', 'u1', 'u2', 'AGGREGATE', 'AVG'],
  ['ZUNION', '2', 'u1', 'u2', 'AGGREGATE'],
  ['ZUNION', '2', 'u1', 'u2', 'LIMIT', '1'],
  ['ZUNION', '0', 'u1'],
  ['ZUNION', '-1', 'u1'],
  ['ZUNION', 'x', 'u1'],
  ['ZUNION', '3', 'u1', 'u2'],
  ['ZUNION', '2', 'u1', 'str'],
  ['ZUNION', '2', 'nokey', 'str', 'BOGUS'],
  ['ZADD', 'infs', '+inf', 'a', '-inf', 'b', '5', 'c'],
  ['ZADD', 'infs2', '-inf', 'a', '+inf', 'b', '0', 'c'],
  ['ZUNION', '2', 'infs', 'infs2', 'WITHSCORES'],
  ['ZUNION', '2', 'infs', 'infs2', 'WEIGHTS', '0', '0', 'WITHSCORES'],
  ['ZINTER', '2', 'infs', 'infs2', 'WITHSCORES'],
  ['ZINTER', '2', 'infs', 'infs2', 'WEIGHTS', '0', '1', 'AGGREGATE', 'MAX', 'WITHSCORES'],
  ['ZINTER', '2', 'u1', 'u2', 'WITHSCORES'],
  ['ZINTER', '3', 'u1', 'u2', 'sset', 'WITHSCORES'],
  ['ZINTER', '2', 'u1', 'u1', 'WITHSCORES', 'WEIGHTS', '2', '3'],
  ['ZINTER', '2', 'u1', 'nokey'],
  ['ZINTER', '1', 'sset', 'WITHSCORES'],
  ['ZDIFF', '2', 'u1', 'u2', 'WITHSCORES'],
  ['ZDIFF', '2', 'u1', 'sset'],
  ['ZDIFF', '2', 'u1', 'u1'],
  ['ZDIFF', '2', 'nokey', 'u1'],
  ['ZDIFF', '1', 'u1', 'WEIGHTS', '2'],
  ['ZDIFF', '1', 'u1', 'AGGREGATE', 'MIN'],
  ['ZUNIONSTORE', 'ust', '2', 'u1', 'u2'],
  ['ZRANGE', 'ust', '0', '-1', 'WITHSCORES'],
  ['OBJECT', 'ENCODING', 'ust'],
  ['ZUNIONSTORE', 'ust', '2', 'u1', 'u2', 'WITHSCORES'],
  ['ZINTERSTORE', 'ust', '2', 'u1', 'u2', 'WEIGHTS', '2', '3'],
  ['ZRANGE', 'ust', '0', '-1', 'WITHSCORES'],
  ['ZDIFFSTORE', 'ust', '2', 'u1', 'u2'],
  ['ZRANGE', 'ust', '0', '-1', 'WITHSCORES'],
  ['ZINTERSTORE', 'ust', '2', 'u1', 'nokey'],
  ['EXISTS', 'ust'],
  ['ZUNIONSTORE', 'str', '1', 'u1'],
  ['TYPE', 'str'],
  ['ZUNIONSTORE', 'u1', '2', 'u1', 'u2'],
  ['ZRANGE', 'u1', '0', '-1', 'WITHSCORES'],
  ['ZUNIONSTORE', 'ust', '0', 'u1'],
  ['ZADD', 'ttl', '1', 'a'],
  ['EXPIRE', 'ttl', '100'],
  ['ZUNIONSTORE', 'ttl', '1', 'u2'],
  ['TTL', 'ttl'],
  ['ZADD', 'str', 'abc', 'a'],
  ['ZINTERCARD', '2', 'u1', 'u2'],
  ['ZINTERCARD', '2', 'u1', 'u2', 'LIMIT', '1'],
  ['ZINTERCARD', '2', 'u1', 'u2', 'LIMIT', '0'],
  ['ZINTERCARD', '2', 'u1', 'sset'],
  ['ZINTERCARD', '0', 'u1'],
  ['ZINTERCARD', '1', 'u1', 'LIMIT', '-1'],
  ['ZINTERCARD', '1', 'u1', 'LIMIT'],
  ['ZINTERCARD', '1', 'u1', 'WITHSCORES'],
  ['ZINTERCARD', '2', 'u1'],
  ['SET', 'str', 'x'],
  // ZSCAN over a listpack: everything at once.
  ['ZSCAN', 'z', '0'],
  ['ZSCAN', 'z', '0', 'MATCH', '[a-c]'],
  ['ZSCAN', 'z', '0', 'COUNT', '1'],
  ['ZSCAN', 'z', '0', 'COUNT', '0'],
  ['ZSCAN', 'z', '0', 'TYPE', 'zset'],
  ['ZSCAN', 'z', 'x'],
  ['ZSCAN', 'nokey', '0'],
  ['ZSCAN', 'str', '0'],
  // Encodings.
  ['ZADD', 'enc', ...pairs(128, (i) => i)],
  ['OBJECT', 'ENCODING', 'enc'],
  ['ZADD', 'enc', '0', 'm0'],
  ['OBJECT', 'ENCODING', 'enc'],
  ['ZADD', 'enc', '1000', 'extra'],
  ['OBJECT', 'ENCODING', 'enc'],
  ['ZREMRANGEBYRANK', 'enc', '0', '100'],
  ['OBJECT', 'ENCODING', 'enc'],
  ['ZRANGESTORE', 'enc2', 'enc', '0', '-1'],
  ['OBJECT', 'ENCODING', 'enc2'],
  ['ZADD', 'long', '1', 'x'.repeat(64)],
  ['OBJECT', 'ENCODING', 'long'],
  ['ZADD', 'long', '1', 'y'.repeat(65)],
  ['OBJECT', 'ENCODING', 'long'],
  ['ZADD', 'long2', '1', 'y'.repeat(65)],
  ['OBJECT', 'ENCODING', 'long2'],
  ['ZUNIONSTORE', 'long3', '1', 'long2'],
  ['OBJECT', 'ENCODING', 'long3'],
  ['ZREM', 'long', 'y'.repeat(65)],
  ['ZUNIONSTORE', 'long3', '1', 'long'],
  ['OBJECT', 'ENCODING', 'long3'],
  ['CONFIG', 'SET', 'zset-max-listpack-entries', '2'],
  ['ZADD', 'cfg', '1', 'a', '2', 'b'],
  ['OBJECT', 'ENCODING', 'cfg'],
  ['ZADD', 'cfg', '3', 'c'],
  ['OBJECT', 'ENCODING', 'cfg'],
  ['CONFIG', 'SET', 'zset-max-listpack-entries', '0'],
  ['ZADD', 'cfg0', '1', 'a'],
  ['OBJECT', 'ENCODING', 'cfg0'],
  // A skiplist keeps -0 and prints scores with %.17g; a listpack stores d2string text.
  ['ZADD', 'sk', '-0', 'a', '123456789012345678', 'b', '1e17', 'c'],
  ['ZRANGE', 'sk', '0', '-1', 'WITHSCORES'],
  ['ZSCAN', 'sk', '0', 'MATCH', 'a'],
  ['ZSCAN', 'sk', '0', 'MATCH', 'b'],
  ['CONFIG', 'SET', 'zset-max-listpack-entries', '128'],
  ['ZUNIONSTORE', 'sk2', '1', 'sk'],
  ['ZSCORE', 'sk2', 'a'],
  ['OBJECT', 'ENCODING', 'sk2'],
  ['ZADD', 'lpn', '-0', 'a', '123456789012345678', 'b', '1e17', 'c', '4611686018427387904', 'f', '-4611686018427387904', 'h', '9007199254740993', 'i', '9223372036854775807', 'j', '-1.5', 'k'],
  ['ZSCAN', 'lpn', '0'],
  ['ZINCRBY', 'lpn', '1', 'a'],
  ['ZINCRBY', 'lpn', '-1', 'a'],
  ['ZSCORE', 'lpn', 'a'],
  ['ZADD', 'lpn', '-0', 'k'],
  ['ZSCORE', 'lpn', 'k'],
  // A bigger set: ranks and ranges deep inside a skiplist.
  ['ZADD', 'big', ...pairs(1000, (i) => (i * 37) % 1000, 'k')],
  ['ZRANGE', 'big', '500', '510', 'WITHSCORES'],
  ['ZRANGE', 'big', '-5', '-1', 'REV', 'WITHSCORES'],
  ['ZRANGEBYSCORE', 'big', '(250', '+inf', 'LIMIT', '100', '5'],
  ['ZREVRANGEBYSCORE', 'big', '(250', '-inf', 'LIMIT', '100', '5', 'WITHSCORES'],
  ['ZRANK', 'big', 'k999'],
  ['ZREVRANK', 'big', 'k999'],
  ['ZCOUNT', 'big', '100', '(200'],
  ['ZREMRANGEBYSCORE', 'big', '100', '(200'],
  ['ZREMRANGEBYRANK', 'big', '10', '19'],
  ['ZCARD', 'big'],
  ['ZRANGE', 'big', '0', '30'],
  ['ZPOPMIN', 'big', '3'],
  ['ZPOPMAX', 'big', '3'],
  // Binary members.
  ['ZADD', 'bin', '1', '\u0000\u00ff', '1', '\r\n', '1', ''],
  ['ZRANGE', 'bin', '0', '-1', 'WITHSCORES'],
  ['ZRANGEBYLEX', 'bin', '[', '[\u0000\u00ff'],
  ['ZSCORE', 'bin', ''],
  // WRONGTYPE everywhere.
  ['ZADD', 'str', '1', 'a'],
  ['ZINCRBY', 'str', '1', 'a'],
  ['ZREM', 'str', 'a'],
  ['ZCARD', 'str'],
  ['ZSCORE', 'str', 'a'],
  ['ZMSCORE', 'str', 'a'],
  ['ZRANK', 'str', 'a'],
  ['ZCOUNT', 'str', '0', '1'],
  ['ZLEXCOUNT', 'str', '-', '+'],
  ['ZRANGE', 'str', '0', '1'],
  ['ZRANGEBYSCORE', 'str', '0', '1'],
  ['ZRANGESTORE', 'd', 'str', '0', '1'],
  ['ZREMRANGEBYRANK', 'str', '0', '1'],
  ['ZINTER', '1', 'str'],
  ['ZINTERCARD', '1', 'str'],
  ['ZDIFFSTORE', 'd', '1', 'str'],
  // Arity.
  ['ZADD', 'z', '1'],
  ['ZINCRBY', 'z', '1'],
  ['ZRANGE', 'z', '0'],
  ['ZRANGESTORE', 'd', 'z', '0'],
  ['ZPOPMIN'],
  ['ZUNIONSTORE', 'd', '1'],
  ['ZMPOP', '1', 'z'],
  ['ZSCAN', 'z'],
];

describeWithRedis('sorted sets, side by side with Redis 7.0', () => {
  const servers = sideBySide();
  let a: ReplyReader;
  let b: ReplyReader;
  beforeAll(() => {
    a = servers.a();
    b = servers.b();
  });

  const runCases = (): Promise<string[]> => replyMismatches(a, b, CASES, (args) => args);

  test('RESP2 replies are identical', async () => {
    expect(await runCases()).toEqual([]);
  });

  test('RESP3 replies are identical', async () => {
    await Promise.all([a.command('FLUSHALL'), b.command('FLUSHALL')]);
    await Promise.all([a.command('HELLO', '3'), b.command('HELLO', '3')]);
    expect(await runCases()).toEqual([]);
    await Promise.all([a.command('HELLO', '2'), b.command('HELLO', '2')]);
  });

  test('keyspace notifications match Redis', async () => {
    const script = async (r: Redis): Promise<void> => {
      await r.zadd('a', 1, 'x', 2, 'y', 3, 'z', 4, 'w', 5, 'v');
      await r.zadd('a', 'NX', 1, 'x');
      await r.zadd('a', 'INCR', 1, 'x');
      await r.zincrby('a', 1, 'x');
      await r.zrem('a', 'y', 'nope');
      await r.zrem('a', 'nope');
      await r.zremrangebyscore('a', 100, 200);
      await r.zremrangebyscore('a', 3, 3);
      await r.zremrangebyrank('a', 0, 0);
      await r.zadd('l', 0, 'a', 0, 'b');
      await r.zremrangebylex('l', '[a', '[a');
      await r.zpopmin('l');
      await r.zadd('a', 9, 'q');
      await r.zpopmax('a', 2);
      await r.zadd('b', 1, 'w', 7, 'x');
      await r.zinterstore('c', 2, 'a', 'b');
      await r.zunionstore('c', 2, 'a', 'b');
      await r.zdiffstore('c', 2, 'a', 'b');
      await r.zdiffstore('c', 2, 'a', 'a');
      await r.zrangestore('d', 'b', 0, 0);
      await r.zrangestore('d', 'b', 5, 6);
      await r.call('ZMPOP', '2', 'nope', 'b', 'MAX', 'COUNT', '5');
    };
    const [mine, theirs] = await Promise.all([keyspaceEvents(servers.ourPort(), script), keyspaceEvents(servers.refPort(), script)]);
    expect(theirs.length).toBeGreaterThan(30);
    expect(mine).toEqual(theirs);
  });
});

describe('sorted sets: random members, scanning, blocking pops, replication', () => {
  let s: RunningServer;
  let r: Redis;
  beforeAll(async () => {
    s = await startServer();
    r = s.client();
  });
  afterAll(async () => {
    await closeClients();
    await s.stop();
  });

  async function fill(key: string, n: number): Promise<void> {
    await r.del(key);
    for (let i = 0; i < n; i += 1000) {
      const args: (string | number)[] = [];
      for (let k = i; k < Math.min(n, i + 1000); k++) args.push(k, `m${k}`);
      await r.zadd(key, ...args);
    }
  }

  test.each([
    ['small sample', 10],
    ['most of the set', 150],
    ['single', 1],
  ])('ZRANDMEMBER positive count, %s: distinct members with their scores', async (_name, count) => {
    await fill('rz', 200);
    const got = (await r.zrandmember('rz', count, 'WITHSCORES')) as string[];
    expect(got).toHaveLength(count * 2);
    const members = new Set<string>();
    for (let i = 0; i < got.length; i += 2) {
      members.add(got[i]);
      expect(got[i]).toBe(`m${got[i + 1]}`);
    }
    expect(members.size).toBe(count);
  });

  test('ZRANDMEMBER negative count repeats and returns |count| members', async () => {
    await fill('rz', 3);
    const got = (await r.zrandmember('rz', -40)) as string[];
    expect(got).toHaveLength(40);
    expect(new Set(got)).toEqual(new Set(['m0', 'm1', 'm2']));
  });

  test('ZSCAN walks a skiplist set in steps and returns every member with its score', async () => {
    await fill('sc', 2500);
    const seen = new Map<string, string>();
    let cursor = '0';
    let steps = 0;
    do {
      const [next, items] = await r.zscan('sc', cursor, 'COUNT', 100);
      for (let i = 0; i < items.length; i += 2) seen.set(items[i], items[i + 1]);
      cursor = next;
      steps++;
      if (steps === 3) {
        await r.zrem('sc', 'm0');
        await r.zadd('sc', 5000, 'late');
      }
    } while (cursor !== '0');
    expect(steps).toBeGreaterThan(10);
    for (let i = 1; i < 2500; i++) expect(seen.get(`m${i}`)).toBe(String(i));
  });

  test('200k members: pipelined ZADD and rank lookups across the set stay quick', async () => {
    const n = 200_000;
    const pipe = r.pipeline();
    for (let i = 0; i < n; i += 2000) {
      const args: (string | number)[] = [];
      for (let k = i; k < i + 2000; k++) args.push((k * 7919) % n, `p${k}`);
      pipe.zadd('huge', ...args);
    }
    await pipe.exec();
    expect(await r.zcard('huge')).toBe(n);
    for (const rank of [0, 1, 99_999, 150_000, n - 1]) {
      const got = await r.zrange('huge', String(rank), String(rank), 'WITHSCORES');
      expect(got[1]).toBe(String(rank));
    }
    expect(await r.zcount('huge', 1000, '(2000')).toBe(1000);
    expect(await r.object('ENCODING', 'huge')).toBe('skiplist');
  });

  test('BZPOPMIN serves at once when data is there, else blocks until ZADD', async () => {
    await r.del('bz1', 'bz2');
    await r.zadd('bz2', 1, 'a', 2, 'b');
    expect(await r.bzpopmin('bz1', 'bz2', 1)).toEqual(['bz2', 'a', '1']);
    const waiter = s.client();
    const pending = waiter.bzpopmax('bz1', 'bz3', 0);
    await new Promise((res) => setTimeout(res, 50));
    await r.zadd('bz3', 5, 'x', 9, 'y');
    expect(await pending).toEqual(['bz3', 'y', '9']);
    expect(await r.zrange('bz3', '0', '-1')).toEqual(['x']);
  });

  test('BZMPOP blocks, then pops up to COUNT from the first key that gets members', async () => {
    await r.del('bm1', 'bm2');
    const waiter = s.client();
    const pending = waiter.call('BZMPOP', '0', '2', 'bm1', 'bm2', 'MIN', 'COUNT', '5');
    await new Promise((res) => setTimeout(res, 50));
    await r.zadd('bm2', 1, 'a', 2, 'b');
    expect(await pending).toEqual(['bm2', [['a', '1'], ['b', '2']]]);
    expect(await r.exists('bm2')).toBe(0);
  });

  test('blocking pops time out with a null reply, and answer WRONGTYPE and bad timeouts at once', async () => {
    await r.set('bstr', 'x');
    expect(await r.bzpopmin('nothing-here', 0.05)).toBeNull();
    expect(await r.call('BZMPOP', '0.05', '1', 'nothing-here', 'MAX')).toBeNull();
    await expect(r.bzpopmin('bstr', 0)).rejects.toThrow('WRONGTYPE');
    await expect(r.bzpopmin('nothing-here', -1)).rejects.toThrow('ERR timeout is negative');
    await expect(r.bzpopmin('nothing-here', 'x')).rejects.toThrow('ERR timeout is not a float or out of range');
  });

  test('inside MULTI a blocking pop on empty keys answers null instead of blocking', async () => {
    const res = await r.multi().bzpopmin('never', 0).call('BZMPOP', '0', '1', 'never', 'MIN').exec();
    expect(res).toEqual([
      [null, null],
      [null, null],
    ]);
  });

  test('a replica applies the rewritten pops and ends with identical sets', async () => {
    const replica = await startServer(['--replicaof', '127.0.0.1', String(s.port)]);
    try {
      const rr = replica.client();
      const waitFor = async (key: string): Promise<void> => {
        const deadline = Date.now() + 10_000;
        while ((await rr.get(key)) !== '1' && Date.now() < deadline) await new Promise((res) => setTimeout(res, 50));
      };
      // Linked and streaming first, so the pops reach the replica as commands, not in a snapshot.
      await r.set('rep-ready', '1');
      await waitFor('rep-ready');
      await r.del('rep', 'repset');
      await fill('rep', 300);
      await r.sadd('repset', ...Array.from({ length: 100 }, (_, i) => `s${i}`));
      await r.call('ZMPOP', '1', 'rep', 'MAX', 'COUNT', '7');
      await r.zpopmin('rep', 3);
      await r.spop('repset', 5);
      await r.spop('repset', 90);
      await r.spop('repset');
      const waiter = s.client();
      const pending = waiter.bzpopmin('rep-wait', 0);
      await new Promise((res) => setTimeout(res, 50));
      await r.zadd('rep-wait', 1, 'a', 2, 'b');
      await pending;
      await r.set('rep-done', '1');
      await waitFor('rep-done');
      expect(await rr.zrange('rep', '0', '-1', 'WITHSCORES')).toEqual(await r.zrange('rep', '0', '-1', 'WITHSCORES'));
      expect((await rr.smembers('repset')).sort()).toEqual((await r.smembers('repset')).sort());
      expect(await rr.zrange('rep-wait', '0', '-1')).toEqual(['b']);
    } finally {
      await replica.stop();
    }
  });
});
