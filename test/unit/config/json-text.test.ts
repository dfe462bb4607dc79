import { findJsonSyntaxError } from "../../../core/config/json-text";

describe("findJsonSyntaxError", () => {
  it.each(['{"SaveType":"save"}', "[]", " 12 ", '"\\u00e9\\n"', "-0.5e+3", "null", '{"a":[true,false,{}]}'])(
    "accepts %s",
    (text) => {
      expect(findJsonSyntaxError(text)).toBeUndefined();
    },
  );

  it.each<[string, number, number, number, string]>([
    ["", 0, 1, 1, "unexpected end of input"],
    ["{a:1}", 1, 1, 2, 'unexpected character "a"'],
    ["[1,]", 3, 1, 4, 'unexpected character "]"'],
    ['{"a":1', 6, 1, 7, "unexpected end of input"],
    ['{\n  "a": 01\n}', 10, 2, 9, 'unexpected character "1"'],
    ["tru", 3, 1, 4, "unexpected end of input"],
    ['"tab\there"', 4, 1, 5, 'unexpected character "\\t"'],
    ['"\\x"', 2, 1, 3, 'unexpected character "x"'],
    ["{} {}", 3, 1, 4, 'unexpected character "{"'],
    ["1.", 2, 1, 3, "unexpected end of input"],
  ])("locates the error in %j at offset %i (line %i, column %i)", (text, offset, line, column, problem) => {
    expect(findJsonSyntaxError(text)).toEqual({ offset, line, column, problem });
  });
});
