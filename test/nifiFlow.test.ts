/**
 * The NiFi flow definition the lab imports at start (services/nifi/lab-flow.json): its structure
 * (a generator feeding PutS3Object through MinIO credentials in a controller service), that no
 * secret is inside it (the S3 keys are sensitive parameters without a value; the dev stack's
 * generated credentials appear nowhere in it), and that the bucket it writes is bronze, the only
 * bucket NiFi's own MinIO identity may write.
 */
import * as fs from "fs";
import * as path from "path";
import { SERVICE_IMAGES } from "../components/images";
import { parseConfig } from "../components/config";
import { NIFI_LANDING_BUCKET } from "../components/ingestion/nifi";
import { labAccess } from "../components/labAccess";
import { SERVICES_DIR } from "../components/serviceFiles";
import { bucketPolicy } from "../components/storage/s3Policy";

const FLOW_FILE = path.join(SERVICES_DIR, "nifi/lab-flow.json");
const text = fs.readFileSync(FLOW_FILE, "utf8");
const flow = JSON.parse(text);
const group = flow.flowContents;
const processor = (type: string) =>
  group.processors.find((p: { type: string }) => p.type === `org.apache.nifi.processors.${type}`);
const put = processor("aws.s3.PutS3Object");
const context = flow.parameterContexts[group.parameterContextName];
const parameter = (name: string) =>
  context.parameters.find((p: { name: string }) => p.name === name);

describe("the lab's NiFi flow definition", () => {
  it("names the bundles of the image's NiFi release and the properties by their names there", () => {
    // A property under a name the release has retired is renamed by the component's
    // migrateProperties when NiFi loads it; the lab's flow needs none of that.
    const image = /^apache\/nifi:(\d+\.\d+\.\d+)$/.exec(SERVICE_IMAGES.nifi)?.[1];
    const bundles = JSON.stringify(flow).match(/"version":"[^"]*"/g) ?? [];
    expect(bundles.length).toBeGreaterThan(0);
    expect(new Set(bundles)).toEqual(new Set([`"version":"${image}"`]));
    const generate = processor("standard.GenerateFlowFile");
    expect(Object.keys(generate.properties)).toEqual(
      expect.arrayContaining(["Custom Text", "Character Set", "Mime Type"]),
    );
  });

  it("is a flow snapshot NiFi 2 uploads: one process group bound to its parameter context", () => {
    expect(flow.flowEncodingVersion).toBe("1.0");
    expect(group.componentType).toBe("PROCESS_GROUP");
    expect(group.name).toBe("DataFlow Lab: land in bronze");
    expect(Object.keys(flow.parameterContexts)).toEqual([group.parameterContextName]);
    expect(group.processGroups).toEqual([]);
  });

  it("generates a record every 10 minutes and puts it to S3 with the credentials service", () => {
    const generate = processor("standard.GenerateFlowFile");
    expect(generate.schedulingPeriod).toBe("10 min");
    const edges = group.connections.map(
      (c: {
        source: { id: string };
        destination: { id: string };
        selectedRelationships: string[];
      }) => [c.source.id, c.destination.id, c.selectedRelationships],
    );
    expect(edges).toEqual([
      [generate.identifier, put.identifier, ["success"]],
      [put.identifier, put.identifier, ["failure"]],
    ]);
    const [service] = group.controllerServices;
    expect(put.properties["AWS Credentials Provider Service"]).toBe(service.identifier);
    expect(service.type).toBe(
      "org.apache.nifi.processors.aws.credentials.provider.service.AWSCredentialsProviderControllerService",
    );
    expect(put.properties["Use Path Style Access"]).toBe("true");
    expect(put.properties["Endpoint Override URL"]).toBe("#{s3.endpoint}");
  });

  it("holds no secret: the keys are references to sensitive parameters that have no value", () => {
    const [service] = group.controllerServices;
    expect(service.properties).toEqual({
      "Access Key ID": "#{s3.access.key}",
      "Secret Access Key": "#{s3.secret.key}",
    });
    for (const name of ["s3.access.key", "s3.secret.key"]) {
      expect(parameter(name)).toMatchObject({ sensitive: true });
      expect(parameter(name).value).toBeUndefined();
    }
    expect(text).not.toMatch(/secret_?key"\s*:\s*"(?!#\{)/i);
  });

  it("writes to bronze, NiFi's landing bucket", () => {
    expect(put.properties.Bucket).toBe("#{s3.bucket}");
    expect(parameter("s3.bucket")).toMatchObject({ sensitive: false, value: "bronze" });
    expect(NIFI_LANDING_BUCKET).toBe("bronze");
  });
});

describe("NiFi's MinIO identity", () => {
  it("may write bronze, the flow's bucket, and touch nothing else", () => {
    const identities = (c: Record<string, unknown>) => labAccess(parseConfig(c, "dev")).identities;
    const nifi = identities({}).find((i) => i.name === "nifi")!;
    const policy = JSON.parse(bucketPolicy(nifi));
    const resources = policy.Statement.flatMap((s: { Resource: string[] }) => s.Resource);
    expect([...new Set(resources)].sort()).toEqual([
      "arn:aws:s3:::bronze",
      "arn:aws:s3:::bronze/*",
    ]);
    expect(identities({ nifi: { enabled: false } }).map((i) => i.name)).not.toContain("nifi");
  });
});
