/**
 * The refusal of a PostgreSQL major change on kept data (components/storage/postgresDataVersion.ts):
 * its provider's `check`, which the engine runs during the preview with the recorded inputs.
 */
import {
  majorChangeRefusal,
  postgresDataVersionProvider,
} from "../components/storage/postgresDataVersion";

const provider = postgresDataVersionProvider();
const check = (olds: object, news: { major: number; allowMajorChange: boolean }) =>
  provider.check!(olds, news);

describe("PostgreSQL's data version", () => {
  it("records the major on a new stack", async () => {
    expect(await check({}, { major: 17, allowMajorChange: false })).toEqual({
      inputs: { major: 17, allowMajorChange: false },
      failures: [],
    });
  });

  it("passes the same major again", async () => {
    const r = await check(
      { major: 17, allowMajorChange: false },
      { major: 17, allowMajorChange: false },
    );
    expect(r.failures).toEqual([]);
  });

  it("refuses another major at preview, naming the key, both majors and the way out", async () => {
    const r = await check(
      { major: 16, allowMajorChange: false },
      { major: 17, allowMajorChange: false },
    );
    expect(r.failures).toEqual([{ property: "major", reason: majorChangeRefusal(16, 17) }]);
    expect(majorChangeRefusal(16, 17)).toMatch(
      /^postgres\.image is PostgreSQL 17, but this stack's PostgreSQL data was written by PostgreSQL 16.*postgres\.allowMajorChange/,
    );
  });

  it("lets the change through once the user says the data was moved", async () => {
    const r = await check(
      { major: 16, allowMajorChange: false },
      { major: 17, allowMajorChange: true },
    );
    expect(r.failures).toEqual([]);
  });

  it("records a change (an update in place: nothing to replace)", async () => {
    const d = await provider.diff!(
      "postgres-data",
      { major: 16, allowMajorChange: false },
      { major: 17, allowMajorChange: true },
    );
    expect(d).toEqual({ changes: true });
  });
});
