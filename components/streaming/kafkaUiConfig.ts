import { about, flag } from "../config/fields";
import { service } from "../config/serviceFields";

/** The `kafkaUi` section of the stack config: the Kafka UI's keys, defaults and what each does. */
export const KAFKA_UI_CONFIG = service(
  256,
  1,
  { note: "Kafka UI (kafbat).", enabled: "" },
  {
    enabled: about(
      flag().optional(),
      "Deploy the Kafka UI; `true` while Kafka is off is an error.",
      { unset: "follows `kafka.enabled`" },
    ),
  },
);
