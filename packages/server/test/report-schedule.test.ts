// Which month a monthly report covers, and its file name from a customer name a tenant may have chosen.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { previousMonth, reportFileName } from "@mde-partner/server";

describe("monthly reports", () => {
  it("cover the last whole month in UTC, across a year end and a leap February", () => {
    assert.deepEqual(previousMonth(Date.parse("2026-12-03T07:00:00Z")), { from: "2026-11-01", to: "2026-11-30", month: "2026-11" });
    assert.deepEqual(previousMonth(Date.parse("2027-01-01T00:00:00Z")), { from: "2026-12-01", to: "2026-12-31", month: "2026-12" });
    assert.deepEqual(previousMonth(Date.parse("2028-03-31T23:59:59Z")), { from: "2028-02-01", to: "2028-02-29", month: "2028-02" });
  });

  it("name files after the customer without path separators, dots in front or markup", () => {
    assert.equal(reportFileName("Contoso Ltd", "2026-11", "pdf"), "Contoso-Ltd-2026-11.pdf");
    assert.equal(reportFileName("../../etc/passwd", "2026-11", "html"), "etc-passwd-2026-11.html");
    assert.equal(reportFileName('<img src=x onerror="alert(1)">', "2026-11", "html"), "img-src-x-onerror-alert-1-2026-11.html");
    assert.equal(reportFileName("株式会社", "2026-11", "pdf"), "customer-2026-11.pdf");
    assert.equal(reportFileName("株式会社", "2026-11", "pdf", "6f0c1a2b"), "customer-6f0c1a2b-2026-11.pdf");
    assert.equal(reportFileName("Contoso", "2026-11", "html", "../x"), "Contoso-x-2026-11.html");
  });
});
