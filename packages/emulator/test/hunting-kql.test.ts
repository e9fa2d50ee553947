import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type EvalEnvironment, KqlError, runKql, toJsonResult } from "../src/hunting/kql/engine.js";
import { parseQuery } from "../src/hunting/kql/parser.js";
import { type Column, parseDateTime, type Table, type Value } from "../src/hunting/kql/values.js";

const at = (iso: string): bigint => {
  const t = parseDateTime(iso);
  if (t === undefined) throw new TypeError(iso);
  return t;
};

const COLUMNS: Column[] = [
  { name: "Timestamp", type: "datetime" },
  { name: "DeviceName", type: "string" },
  { name: "FileName", type: "string" },
  { name: "ProcessCommandLine", type: "string" },
  { name: "Port", type: "int" },
  { name: "Bytes", type: "long" },
  { name: "Score", type: "real" },
  { name: "IsAdmin", type: "bool" },
];

const ROWS: Value[][] = [
  [at("2024-01-10T08:00:00.1234567Z"), "pc-1.contoso.local", "powershell.exe", "powershell.exe -File C:\\Users\\ann\\AppData\\Local\\Temp\\a.ps1", 443, 100, 1.5, true],
  [at("2024-01-10T09:30:00Z"), "pc-1.contoso.local", "csc.exe", '"csc.exe" /noconfig @"C:\\Users\\ann\\AppData\\Local\\Temp\\x.cmdline"', 80, 250, 2.5, false],
  [at("2024-01-12T23:59:59Z"), "pc-2.contoso.local", "cmd.exe", "cmd.exe /c whoami /all", 443, null, null, false],
  [at("2024-01-13T00:00:00Z"), "srv-1.contoso.local", "PowerShell.EXE", "PowerShell.EXE -enc SQBFAFgA", 8443, 4000, 9, true],
  [at("2024-01-14T12:00:00Z"), "pc-2.contoso.local", "msedge.exe", "", 443, 50, 0.5, null],
];

const TABLE: Table = { columns: COLUMNS, rows: ROWS };
const NOW = at("2024-01-15T00:00:00Z");

function env(maxRows = 100_000): EvalEnvironment {
  return {
    now: NOW,
    maxRows,
    tableNames: () => ["Events"],
    resolveTable: (name) => (name === "Events" ? TABLE : undefined),
  };
}

const run = (query: string, maxRows?: number) => toJsonResult(runKql(query, env(maxRows)));
const files = (query: string) => run(query).rows.map((r) => r.FileName);
const refuse = (query: string): KqlError => {
  try {
    runKql(query, env());
  } catch (error) {
    assert.ok(error instanceof KqlError, `expected a KqlError, got ${String(error)}`);
    return error;
  }
  assert.fail(`query was accepted: ${query}`);
};

describe("KQL: tables, where and comparisons", () => {
  test("a bare table returns every row and column with API type names", () => {
    const result = run("Events");
    assert.equal(result.rows.length, 5);
    assert.deepEqual(
      result.schema.map((s) => `${s.name}:${s.type}`),
      ["Timestamp:DateTime", "DeviceName:String", "FileName:String", "ProcessCommandLine:String", "Port:Int32", "Bytes:Int64", "Score:Double", "IsAdmin:Boolean"],
    );
    // DateTime values carry seven fractional digits, like the documented response.
    assert.equal(result.rows[0]?.Timestamp, "2024-01-10T08:00:00.1234567Z");
    assert.equal(result.rows[1]?.Timestamp, "2024-01-10T09:30:00.0000000Z");
  });

  test("the documented example query shape works", () => {
    const result = run("Events |where FileName =~ 'csc.exe' |where ProcessCommandLine contains 'appdata'|project Timestamp, FileName, DeviceName|limit 2");
    assert.deepEqual(result.schema.map((s) => s.name), ["Timestamp", "FileName", "DeviceName"]);
    assert.deepEqual(result.rows, [{ Timestamp: "2024-01-10T09:30:00.0000000Z", FileName: "csc.exe", DeviceName: "pc-1.contoso.local" }]);
  });

  test("== and != are case-sensitive, =~ and !~ are not", () => {
    assert.deepEqual(files("Events | where FileName == 'powershell.exe'"), ["powershell.exe"]);
    assert.deepEqual(files("Events | where FileName =~ 'POWERSHELL.exe'"), ["powershell.exe", "PowerShell.EXE"]);
    assert.deepEqual(files("Events | where FileName != 'powershell.exe'"), ["csc.exe", "cmd.exe", "PowerShell.EXE", "msedge.exe"]);
    assert.deepEqual(files("Events | where FileName !~ 'powershell.exe'"), ["csc.exe", "cmd.exe", "msedge.exe"]);
  });

  test("numeric comparisons; null never matches", () => {
    assert.deepEqual(files("Events | where Bytes > 100"), ["csc.exe", "PowerShell.EXE"]);
    assert.deepEqual(files("Events | where Bytes >= 100"), ["powershell.exe", "csc.exe", "PowerShell.EXE"]);
    assert.deepEqual(files("Events | where Bytes < 100"), ["msedge.exe"]);
    assert.deepEqual(files("Events | where Bytes <= 100"), ["powershell.exe", "msedge.exe"]);
    assert.deepEqual(files("Events | where Score > 1 and Port == 443"), ["powershell.exe"]);
    assert.deepEqual(files("Events | where IsAdmin == true"), ["powershell.exe", "PowerShell.EXE"]);
  });

  test("has matches whole terms, contains matches substrings, both case-insensitive", () => {
    assert.deepEqual(files("Events | where ProcessCommandLine has 'whoami'"), ["cmd.exe"]);
    assert.deepEqual(files("Events | where ProcessCommandLine has 'who'"), []);
    assert.deepEqual(files("Events | where ProcessCommandLine contains 'WHO'"), ["cmd.exe"]);
    assert.deepEqual(files("Events | where ProcessCommandLine has 'APPDATA'"), ["powershell.exe", "csc.exe"]);
    assert.deepEqual(files("Events | where ProcessCommandLine !has 'appdata'"), ["cmd.exe", "PowerShell.EXE", "msedge.exe"]);
    assert.deepEqual(files("Events | where ProcessCommandLine !contains 'e'"), ["msedge.exe"]);
    assert.deepEqual(files("Events | where ProcessCommandLine contains_cs 'APPDATA'"), []);
    assert.deepEqual(files("Events | where FileName startswith 'POWER'"), ["powershell.exe", "PowerShell.EXE"]);
    assert.deepEqual(files("Events | where FileName endswith '.EXE' and DeviceName endswith 'contoso.local' | where FileName startswith 'c'"), ["csc.exe", "cmd.exe"]);
  });

  test("in, !in and in~", () => {
    assert.deepEqual(files("Events | where FileName in ('cmd.exe', 'msedge.exe')"), ["cmd.exe", "msedge.exe"]);
    assert.deepEqual(files("Events | where FileName in ('CMD.EXE')"), []);
    assert.deepEqual(files("Events | where FileName in~ ('CMD.EXE')"), ["cmd.exe"]);
    assert.deepEqual(files("Events | where Port !in (443, 80)"), ["PowerShell.EXE"]);
  });

  test("and binds tighter than or; parentheses and not() change that", () => {
    // a or (b and c)
    assert.deepEqual(files("Events | where FileName == 'msedge.exe' or Port == 443 and Bytes > 50"), ["powershell.exe", "msedge.exe"]);
    assert.deepEqual(files("Events | where (FileName == 'msedge.exe' or Port == 443) and Bytes > 50"), ["powershell.exe"]);
    assert.deepEqual(files("Events | where not(Port == 443)"), ["csc.exe", "PowerShell.EXE"]);
    assert.deepEqual(files("Events | where not(FileName has 'exe' and Port == 443) and Bytes > 0"), ["csc.exe", "PowerShell.EXE"]);
  });

  test("arithmetic precedence: * before +", () => {
    const result = run("Events | where FileName == 'csc.exe' | project Total = Bytes + Port * 2, Half = Bytes / 2, Ratio = Score * 2");
    assert.deepEqual(result.rows, [{ Total: 410, Half: 125, Ratio: 5 }]);
    assert.deepEqual(result.schema.map((s) => s.type), ["Int64", "Int64", "Double"]);
  });
});

describe("KQL: time", () => {
  test("ago(), now() and timespan units", () => {
    // now() is 2024-01-15T00:00:00Z; PowerShell.EXE ran exactly two days earlier.
    assert.deepEqual(files("Events | where Timestamp > ago(2d)"), ["msedge.exe"]);
    assert.deepEqual(files("Events | where Timestamp >= ago(48h)"), ["PowerShell.EXE", "msedge.exe"]);
    assert.deepEqual(files("Events | where Timestamp >= now() - 2880m"), ["PowerShell.EXE", "msedge.exe"]);
    assert.deepEqual(files("Events | where Timestamp >= ago(172800s) and Timestamp < ago(129600000ms)"), ["PowerShell.EXE"]);
    assert.deepEqual(files("Events | where Timestamp > ago(1.5d)"), ["msedge.exe"]);
  });

  test("datetime() literals, between and date arithmetic", () => {
    assert.deepEqual(files("Events | where Timestamp < datetime(2024-01-11)"), ["powershell.exe", "csc.exe"]);
    assert.deepEqual(files("Events | where Timestamp between (datetime(2024-01-12 23:59:59) .. datetime(2024-01-13T00:00:00Z))"), ["cmd.exe", "PowerShell.EXE"]);
    const result = run("Events | where FileName == 'msedge.exe' | extend Age = now() - Timestamp, Later = Timestamp + 1h | project Age, Later");
    assert.deepEqual(result.rows, [{ Age: "12:00:00", Later: "2024-01-14T13:00:00.0000000Z" }]);
    assert.deepEqual(result.schema.map((s) => s.type), ["TimeSpan", "DateTime"]);
  });

  test("bin() groups timestamps into buckets", () => {
    const result = run("Events | summarize Events = count() by Day = bin(Timestamp, 1d) | sort by Day asc");
    assert.deepEqual(result.rows, [
      { Day: "2024-01-10T00:00:00.0000000Z", Events: 2 },
      { Day: "2024-01-12T00:00:00.0000000Z", Events: 1 },
      { Day: "2024-01-13T00:00:00.0000000Z", Events: 1 },
      { Day: "2024-01-14T00:00:00.0000000Z", Events: 1 },
    ]);
    // An unnamed bin() keeps the column's name, as Kusto does.
    assert.deepEqual(run("Events | summarize count() by bin(Timestamp, 7d)").schema.map((s) => s.name), ["Timestamp", "count_"]);
  });
});

describe("KQL: scalar functions and strings", () => {
  test("isempty, isnotempty, tolower, toupper, strcat", () => {
    assert.deepEqual(files("Events | where isempty(ProcessCommandLine)"), ["msedge.exe"]);
    assert.equal(run("Events | where isnotempty(ProcessCommandLine) | count").rows[0]?.Count, 4);
    const result = run("Events | where FileName == 'cmd.exe' | project Lower = tolower(DeviceName), Upper = toupper(FileName), Joined = strcat(FileName, '@', DeviceName, ':', Port)");
    assert.deepEqual(result.rows, [{ Lower: "pc-2.contoso.local", Upper: "CMD.EXE", Joined: "cmd.exe@pc-2.contoso.local:443" }]);
  });

  test("double and single quotes, escapes, verbatim strings and comments", () => {
    assert.deepEqual(files('Events | where FileName == "cmd.exe" // trailing comment'), ["cmd.exe"]);
    assert.deepEqual(files("// leading comment\nEvents\n// between\n| where ProcessCommandLine contains 'Users\\\\ann\\\\AppData'"), ["powershell.exe", "csc.exe"]);
    assert.deepEqual(files("Events | where ProcessCommandLine contains @'Users\\ann'"), ["powershell.exe", "csc.exe"]);
    assert.deepEqual(files("Events | where ProcessCommandLine contains \"@\\\"C:\""), ["csc.exe"]);
    assert.deepEqual(files("Events | where ProcessCommandLine contains 'noconfig @\"C'"), ["csc.exe"]);
  });
});

describe("KQL: tabular operators", () => {
  test("project with renames, project-away, project-rename and extend", () => {
    const projected = run("Events | take 1 | project Device = DeviceName, FileName, Kb = Bytes / 1000.0");
    assert.deepEqual(projected.schema, [
      { name: "Device", type: "String" },
      { name: "FileName", type: "String" },
      { name: "Kb", type: "Double" },
    ]);
    assert.deepEqual(projected.rows, [{ Device: "pc-1.contoso.local", FileName: "powershell.exe", Kb: 0.1 }]);
    const away = run("Events | project-away ProcessCommandLine, Score, Is* | take 1");
    assert.deepEqual(away.schema.map((s) => s.name), ["Timestamp", "DeviceName", "FileName", "Port", "Bytes"]);
    const renamed = run("Events | project-rename Host = DeviceName | project Host | take 1");
    assert.deepEqual(renamed.rows, [{ Host: "pc-1.contoso.local" }]);
    const extended = run("Events | extend Name = toupper(FileName), Port = Port + 1 | project Name, Port | take 1");
    assert.deepEqual(extended.rows, [{ Name: "POWERSHELL.EXE", Port: 444 }]);
  });

  test("take and limit", () => {
    assert.equal(run("Events | take 3").rows.length, 3);
    assert.equal(run("Events | limit 0").rows.length, 0);
    assert.equal(run("Events | limit 99").rows.length, 5);
  });

  test("top N by: descending by default, asc on request, nulls last when descending", () => {
    assert.deepEqual(files("Events | top 2 by Bytes"), ["PowerShell.EXE", "csc.exe"]);
    assert.deepEqual(files("Events | top 2 by Bytes asc"), ["cmd.exe", "msedge.exe"]);
    assert.deepEqual(files("Events | top 5 by Bytes desc"), ["PowerShell.EXE", "csc.exe", "powershell.exe", "msedge.exe", "cmd.exe"]);
  });

  test("sort by / order by with several keys", () => {
    assert.deepEqual(files("Events | sort by Port asc, Bytes desc"), ["csc.exe", "powershell.exe", "msedge.exe", "cmd.exe", "PowerShell.EXE"]);
    assert.deepEqual(files("Events | order by DeviceName asc, Timestamp desc"), ["csc.exe", "powershell.exe", "msedge.exe", "cmd.exe", "PowerShell.EXE"]);
    assert.deepEqual(files("Events | order by Bytes asc nulls last"), ["msedge.exe", "powershell.exe", "csc.exe", "PowerShell.EXE", "cmd.exe"]);
  });

  test("summarize with the supported aggregations and aliases", () => {
    const result = run(
      "Events | summarize count(), Devices = dcount(DeviceName), min(Timestamp), max(Bytes), sum(Bytes), avg(Score), Files = make_set(FileName) by Port | sort by Port asc",
    );
    assert.deepEqual(result.schema, [
      { name: "Port", type: "Int32" },
      { name: "count_", type: "Int64" },
      { name: "Devices", type: "Int64" },
      { name: "min_Timestamp", type: "DateTime" },
      { name: "max_Bytes", type: "Int64" },
      { name: "sum_Bytes", type: "Int64" },
      { name: "avg_Score", type: "Double" },
      { name: "Files", type: "Object" },
    ]);
    assert.deepEqual(result.rows[0], {
      Port: 80, count_: 1, Devices: 1, min_Timestamp: "2024-01-10T09:30:00.0000000Z", max_Bytes: 250, sum_Bytes: 250, avg_Score: 2.5, Files: ["csc.exe"],
    });
    assert.deepEqual(result.rows[1], {
      Port: 443, count_: 3, Devices: 2, min_Timestamp: "2024-01-10T08:00:00.1234567Z", max_Bytes: 100, sum_Bytes: 150, avg_Score: 1, Files: ["powershell.exe", "cmd.exe", "msedge.exe"],
    });
  });

  test("summarize without by always yields one row; with by over nothing, none", () => {
    assert.deepEqual(run("Events | where Port == 1 | summarize count(), dcount(FileName)").rows, [{ count_: 0, dcount_FileName: 0 }]);
    assert.deepEqual(run("Events | where Port == 1 | summarize count() by FileName").rows, []);
    assert.deepEqual(run("Events | summarize by DeviceName | sort by DeviceName asc").rows.map((r) => r.DeviceName), ["pc-1.contoso.local", "pc-2.contoso.local", "srv-1.contoso.local"]);
  });

  test("arg_max(Timestamp, *) keeps the newest row per group", () => {
    const result = run("Events | summarize arg_max(Timestamp, *) by DeviceName | sort by DeviceName asc | project DeviceName, FileName");
    assert.deepEqual(result.rows, [
      { DeviceName: "pc-1.contoso.local", FileName: "csc.exe" },
      { DeviceName: "pc-2.contoso.local", FileName: "msedge.exe" },
      { DeviceName: "srv-1.contoso.local", FileName: "PowerShell.EXE" },
    ]);
  });

  test("distinct and count", () => {
    assert.deepEqual(run("Events | distinct DeviceName | count").rows, [{ Count: 3 }]);
    assert.deepEqual(run("Events | distinct Port, IsAdmin | count").rows, [{ Count: 5 }]);
    assert.deepEqual(run("Events | where IsAdmin == false | distinct Port").rows, [{ Port: 80 }, { Port: 443 }]);
    assert.deepEqual(run("Events | count").schema, [{ name: "Count", type: "Int64" }]);
  });
});

describe("KQL: refusals point at the problem", () => {
  test("a syntax error names line and column and what was expected", () => {
    const error = refuse("Events\n| where FileName == 'x'\n| project ,");
    assert.equal(error.kind, "syntax");
    assert.equal(error.message, "Syntax error at line 3, column 11: expected a column name, a value or a function call but found ','");
    assert.deepEqual([error.pos?.line, error.pos?.column], [3, 11]);
    assert.match(refuse("Events | where FileName = 'x'").message, /^Syntax error at line 1, column 25: expected '==' .* but found '='/);
    assert.match(refuse("Events | where FileName == 'x").message, /^Syntax error at line 1, column 28: expected a closing ' /);
    assert.match(refuse("Events | sort Port").message, /^Syntax error at line 1, column 15: expected 'by' after 'sort' but found 'Port'/);
    assert.match(refuse("Events | frobnicate").message, /^Syntax error at line 1, column 10: expected a tabular operator .* but found 'frobnicate'/);
    assert.match(refuse("Events FileName").message, /^Syntax error at line 1, column 8: expected '\|' or end of query but found 'FileName'/);
  });

  test("unknown tables and columns are named", () => {
    assert.equal(refuse("Foo | take 1").message, "Failed to resolve table or column expression named 'Foo' (line 1, column 1)");
    assert.match(refuse("events | take 1").message, /did you mean 'Events'\?/);
    assert.equal(refuse("Events | where Nope == 1").message, "'where' operator: Failed to resolve scalar expression named 'Nope' (line 1, column 16)");
    assert.match(refuse("Events | project filename").message, /^'project' operator: .*'filename'.*did you mean 'FileName'/);
  });

  test("KQL the emulator does not implement is refused by name", () => {
    const percentile = refuse("Events | summarize percentile(Bytes, 95)");
    assert.equal(percentile.kind, "unsupported");
    assert.match(percentile.message, /^'summarize' aggregation 'percentile' is not supported by this emulator/);
    assert.match(refuse("Events | join (Events) on DeviceName").message, /^The 'join' operator is not supported by this emulator \(line 1, column 10\)/);
    assert.match(refuse("Events | where parse_json(FileName) == 1").message, /function 'parse_json' is not supported/);
    assert.match(refuse("let x = 1; Events").message, /'let' statements are not supported/);
  });

  test("type errors are explained", () => {
    assert.match(refuse("Events | where Timestamp > 'yesterday'").message, /Cannot compare a value of type datetime with a value of type string/);
    assert.match(refuse("Events | where FileName").message, /must be a boolean expression/);
    assert.match(refuse("Events | where ago(1) > Timestamp").message, /Function 'ago'/);
    assert.match(refuse("Events | extend x = count()").message, /aggregation function and can only be used in summarize/);
  });

  test("results above the row limit are refused with the documented message", () => {
    assert.equal(run("Events | take 4", 4).rows.length, 4);
    assert.throws(
      () => run("Events", 4),
      (error: unknown) => error instanceof KqlError && error.kind === "limit" && /^Query execution has exceeded the allowed result size/.test(error.message),
    );
  });

  test("the parser records source positions in the AST", () => {
    const query = parseQuery("Events\n  | where Port > 1");
    assert.deepEqual(query.table.pos, { offset: 0, line: 1, column: 1 });
    const where = query.ops[0];
    assert.equal(where?.kind, "where");
    assert.deepEqual(where?.pos, { offset: 11, line: 2, column: 5 });
  });
});
