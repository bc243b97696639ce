import * as dockerBuild from "@pulumi/docker-build";
import * as pulumi from "@pulumi/pulumi";
import { contentTag } from "../imageTag";
import type { ImageBuildSpec } from "./types";

/**
 * The docker-build provider, on the Docker host that builds (`docker.host`; unset: `$DOCKER_HOST`,
 * else the local socket). One per platform, made on its first image.
 */
export function builderProvider(
  name: string,
  host: string | undefined,
  parent: pulumi.Resource,
): dockerBuild.Provider {
  return new dockerBuild.Provider(name, host ? { host } : {}, { parent });
}

/**
 * An image of the lab's own, built with BuildKit through `@pulumi/docker-build` (Pulumi's current
 * way: the build log streams into `pulumi up`, and BuildKit caches its layers), tagged with the hash
 * of every file the build reads, so the same content never rebuilds and a change always does.
 * Built for the platform of the builder's host. Not built on preview: a PR preview shows the plan
 * without a multi-minute build; the build (and any error in it) comes with `pulumi up`.
 * @see https://www.pulumi.com/registry/packages/docker-build/api-docs/image/
 */
export function buildImage(
  spec: ImageBuildSpec,
  to: { readonly repository: string; readonly push: boolean },
  opts: pulumi.CustomResourceOptions & { provider: dockerBuild.Provider },
): dockerBuild.Image {
  return new dockerBuild.Image(
    spec.name,
    {
      // Relative to the project directory, where Pulumi runs the program and its providers.
      context: { location: "." },
      dockerfile: { location: spec.dockerfile },
      tags: [`${to.repository}:${contentTag(spec.inputs)}`],
      // Docker: loaded into the host's image store, where the containers run it. Kubernetes:
      // pushed to the registry the cluster pulls from.
      push: to.push,
      load: !to.push,
      buildOnPreview: false,
    },
    opts,
  );
}
