/**
 * Schema validation errors in plain words, naming the field (src/api/validationMessage.ts),
 * and through a real route: the admin route's short hash that prompted it.
 */
import { describe, expect, it } from 'vitest';
import { plainValidationMessage } from '../../../src/api/validationMessage.js';

describe('plainValidationMessage', () => {
  it.each([
    ['body/hash must NOT have fewer than 66 characters', 'field "hash" must be at least 66 characters long'],
    ['body/hash must NOT have more than 66 characters', 'field "hash" must be at most 66 characters long'],
    ['body/1/amount must be string', 'field "[1].amount" must be a string'],
    ['body/blocks must be integer', 'field "blocks" must be an integer'],
    ['body/blocks must be >= 1', 'field "blocks" must be at least 1'],
    ["body must have required property 'hash'", 'field "hash" is missing'],
    ["body/0 must have required property 'fee'", 'field "[0].fee" is missing'],
    ["body must NOT have additional property 'x'", 'field "x" is not one this route takes'],
    ['body must NOT have fewer than 1 items', 'the request body must have at least 1 items'],
    ['body must be object', 'the request body must be an object'],
    ['querystring/limit must be <= 100', 'query parameter "limit" must be at most 100'],
    [
      'params/txid must match pattern "^0x[0-9a-f]{64}$"',
      'path parameter "txid" must match pattern "^0x[0-9a-f]{64}$"',
    ],
  ])('%j -> %j', (raw, plain) => {
    expect(plainValidationMessage(raw)).toBe(plain);
  });

  it('leaves a message of another shape as it is', () => {
    expect(plainValidationMessage('the request body is not valid JSON')).toBe('the request body is not valid JSON');
  });
});
