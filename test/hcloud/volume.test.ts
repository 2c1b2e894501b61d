import assert from "node:assert/strict";
import { Construct } from "constructs";
import { describe, it } from "node:test";
import { Location, ServerType, Server, Volume, VolumeAttachment, VolumeFormat } from "../../constructs/hcloud";
import { ipv4, only, resolved, resources, synth } from "./helpers";

describe("Volume", () => {
  it("defaults to ext4 and delete protection on", () => {
    const json = synth((stack) => new Volume(stack, "Data", { name: "data", sizeGb: 50, location: Location.NBG1 }));
    assert.deepEqual(only(json, "hcloud_volume"), [
      "Data",
      { name: "data", size: 50, location: "nbg1", format: "ext4", delete_protection: true },
    ]);
  });

  it("sets format, delete protection and labels", () => {
    const json = synth(
      (stack) =>
        new Volume(stack, "Data", {
          name: "data",
          sizeGb: 10240,
          location: Location.HEL1,
          format: VolumeFormat.XFS,
          deleteProtection: false,
          labels: { app: "t" },
        }),
    );
    const [, body] = only(json, "hcloud_volume");
    assert.equal(body.format, "xfs");
    assert.equal(body.delete_protection, false);
    assert.deepEqual(body.labels, { app: "t" });
  });

  it("exposes id and linux device", () => {
    const volume = (stack: Construct) =>
      new Volume(stack, "Data", { name: "data", sizeGb: 10, location: Location.NBG1 });
    assert.equal(resolved((stack) => volume(stack).volumeId), "${hcloud_volume.Data.id}");
    assert.equal(resolved((stack) => volume(stack).linuxDevice), "${hcloud_volume.Data.linux_device}");
  });

  it("fails on a size outside 10-10240 gb or not whole", () => {
    for (const sizeGb of [5, 10.5, 20000]) {
      assert.throws(() => synth((stack) => new Volume(stack, "Data", { name: "d", sizeGb, location: Location.NBG1 })), {
        message: `invalid volume size ${sizeGb}: expected a whole number of gb from 10 to 10240 (in stack/Data)`,
      });
    }
  });
});

describe("Server.attachVolume / VolumeAttachment", () => {
  const server = (stack: Construct, location = Location.NBG1) =>
    new Server(stack, "Server", {
      name: "tracker",
      serverType: ServerType.CCX23,
      location,
      primaryIpv4: ipv4(stack, location),
    });

  it("attaches with automount off and numeric ids", () => {
    const json = synth((stack) => {
      const attachment = server(stack).attachVolume(new Volume(stack, "Data", { name: "d", sizeGb: 50, location: Location.NBG1 }));
      assert.ok(attachment instanceof VolumeAttachment);
    });
    const [address, body] = only(json, "hcloud_volume_attachment");
    assert.match(address, /^Server_VolumeAttachments_Data_[0-9A-F]{8}$/);
    assert.deepEqual(body, {
      volume_id: "${hcloud_volume.Data.id}",
      server_id: "${hcloud_server.Server.id}",
      automount: false,
    });
    assert.equal(resources(json, "hcloud_volume").Data!.server_id, undefined);
  });

  it("fails when the volume is in another location", () => {
    assert.throws(
      () =>
        synth((stack) => {
          server(stack).attachVolume(new Volume(stack, "Data", { name: "d", sizeGb: 50, location: Location.FSN1 }));
        }),
      {
        message:
          'volume "stack/Data" is in "fsn1" but server "stack/Server" is in "nbg1": a volume can only be attached in its own location ' +
          "(in stack/Server/VolumeAttachments/Data)",
      },
    );
  });
});
