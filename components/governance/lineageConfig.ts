import { service } from "../config/serviceFields";

/** The `lineage` section of the stack config: the lineage service's keys, defaults and what each does. */
export const LINEAGE_CONFIG = service(
  128,
  1,
  {
    note: "The lineage service: OpenLineage events from every Spark driver, the lake's lineage graph for the dashboard.",
    enabled:
      "Deploy the lineage service (and its key); off, the Spark drivers send no OpenLineage events.",
  },
  {},
  "lineage",
);
