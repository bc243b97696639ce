import { about, list, text } from "../config/fields";
import * as is from "../config/formats";
import { SIZE, STORAGE, service } from "../config/serviceFields";

const topicProblem = (t: string, i: number, all: string[]) =>
  !is.isTopicName(t)
    ? "a Kafka topic name: letters, digits, '.', '_' or '-'"
    : all.findIndex((o) => is.topicCollisionKey(o) === is.topicCollisionKey(t)) !== i
      ? "a topic that differs from the others in more than '.' versus '_' (Kafka refuses topics that collide)"
      : "";

/** The `kafka` section of the stack config: Kafka's keys, defaults and what each does. */
export const KAFKA_CONFIG = service(
  640,
  1,
  {
    note: "Kafka broker (KRaft) and its topics.",
    enabled: "Deploy Kafka (and, unless set otherwise, the Kafka UI).",
    memoryMiB: "Memory limit (half of it is the broker's heap).",
  },
  {
    storageSize: about(text("10Gi", SIZE), STORAGE),
    topics: about(
      list(["lab-events"], topicProblem, "list of topic names"),
      "Topics created once the broker is up; two that differ only in `.` versus `_` are refused (they collide in Kafka).",
    ),
  },
  "kafka",
);
