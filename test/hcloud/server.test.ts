import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { TerraformStack, TerraformVariable, Testing } from "cdktf";
import { Construct } from "constructs";
import { Firewall, Location, Server, ServerProps, ServerType, SshKey } from "../../constructs/hcloud";
import { ipv4, ipv6, only, PUBLIC_KEY, resolved, resources, synth } from "./helpers";

/** A server with the required props only, plus `props`. */
function server(scope: Construct, props: Partial<ServerProps> = {}, id = "Server"): Server {
  const location = props.location ?? Location.NBG1;
  return new Server(scope, id, {
    name: "tracker",
    serverType: ServerType.CCX23,
    location,
    primaryIpv4: props.primaryIpv4 ?? ipv4(scope, location),
    ...props,
  });
}

describe("Server", () => {
  it("uses the ipv4 primary ip, no ipv6, no backups, no protection and keeps the disk size by default", () => {
    const json = synth((stack) => server(stack));
    assert.deepEqual(only(json, "hcloud_server"), [
      "Server",
      {
        name: "tracker",
        server_type: "ccx23",
        keep_disk: true,
        location: "nbg1",
        image: "ubuntu-24.04",
        public_net: [{ ipv4_enabled: true, ipv4: "${hcloud_primary_ip.Ipv4.id}", ipv6_enabled: false }],
        backups: false,
        delete_protection: false,
        rebuild_protection: false,
        lifecycle: { ignore_changes: ["ssh_keys"] },
      },
    ]);
  });

  it("is addressed by its construct id at stack level and by path when nested", () => {
    assert.equal(only(synth((stack) => server(stack)), "hcloud_server")[0], "Server");
    assert.match(only(synth((stack) => server(new Construct(stack, "Tracker"))), "hcloud_server")[0], /^Tracker_Server_[0-9A-F]{8}$/);
  });

  it("uses the ipv6 primary ip when given", () => {
    const json = synth((stack) => {
      const [v4, v6] = [ipv4(stack), ipv6(stack)];
      server(stack, { primaryIpv4: v4, primaryIpv6: v6 });
    });
    assert.deepEqual(only(json, "hcloud_server")[1].public_net, [
      { ipv4_enabled: true, ipv4: "${hcloud_primary_ip.Ipv4.id}", ipv6_enabled: true, ipv6: "${hcloud_primary_ip.Ipv6.id}" },
    ]);
  });

  it("passes ssh keys, firewalls, image and user data (tokens included)", () => {
    const json = synth((stack) => {
      const userData = new TerraformVariable(stack, "user_data", {}).stringValue;
      server(stack, {
        image: "debian-12",
        userData: `#cloud-config\n${userData}`,
        sshKeys: [new SshKey(stack, "Key", { name: "op", publicKey: PUBLIC_KEY }), SshKey.fromSshKeyId(stack, "Old", "4711")],
        firewalls: [new Firewall(stack, "Firewall", { name: "fw" })],
      });
    });
    const [, body] = only(json, "hcloud_server");
    assert.equal(body.image, "debian-12");
    assert.equal(body.user_data, "#cloud-config\n${var.user_data}");
    assert.deepEqual(body.ssh_keys, ["${hcloud_ssh_key.Key.id}", "4711"]);
    assert.deepEqual(body.firewall_ids, ["${hcloud_firewall.Firewall.id}"]);
  });

  it("lets the disk grow with the server type only when asked (keepDisk: false)", () => {
    assert.equal(only(synth((stack) => server(stack, { keepDisk: false })), "hcloud_server")[1].keep_disk, false);
  });

  it("prints firewall_ids as a quoted list in synth --hcl (cdktf prints number-list tokens bare)", () => {
    const stack = new TerraformStack(Testing.app(), "stack");
    server(stack, { firewalls: [new Firewall(stack, "Firewall", { name: "fw" }), Firewall.fromFirewallId(stack, "Old", "42")] });
    const hcl: string = Testing.synthHcl(stack);
    assert.match(hcl, /firewall_ids = \[\s*"\$\{hcloud_firewall\.Firewall\.id\}",\s*"42"\s*\]/);
    assert.match(hcl, /lifecycle \{\s*ignore_changes = \[\s*ssh_keys\s*\]/, "ignore_changes names the attribute bare");
  });

  it("sets delete and rebuild protection together, backups and labels", () => {
    const json = synth((stack) => server(stack, { deleteProtection: true, backups: true, labels: { app: "tracker" } }));
    const [, body] = only(json, "hcloud_server");
    assert.equal(body.delete_protection, true);
    assert.equal(body.rebuild_protection, true);
    assert.equal(body.backups, true);
    assert.deepEqual(body.labels, { app: "tracker" });
  });

  it("exposes id and addresses as tokens", () => {
    assert.equal(resolved((stack) => server(stack).serverId), "${hcloud_server.Server.id}");
    assert.equal(resolved((stack) => server(stack).ipv4Address), "${hcloud_server.Server.ipv4_address}");
    assert.equal(resolved((stack) => server(stack).ipv6Address), "${hcloud_server.Server.ipv6_address}");
  });

  it("fails on a server type not sold in the location", () => {
    assert.throws(() => synth((stack) => server(stack, { serverType: ServerType.CX23, location: Location.ASH })), {
      message: 'server type "cx23" is not sold in "ash": cx servers are available in fsn1, nbg1, hel1 (in stack/Server)',
    });
    assert.throws(() => synth((stack) => server(stack, { serverType: ServerType.CAX11, location: Location.SIN })), /"cax11" is not sold in "sin"/);
    assert.doesNotThrow(() => synth((stack) => server(stack, { serverType: ServerType.CCX23, location: Location.SIN })));
  });

  it("fails on primary ips of the wrong family or location", () => {
    assert.throws(
      () =>
        synth((stack) => {
          const [v4, v6] = [ipv4(stack), ipv6(stack)];
          server(stack, { primaryIpv4: v6, primaryIpv6: v4 });
        }),
      {
        message:
          'primaryIpv4 must be an ipv4 primary ip, got "stack/Ipv6" of type ipv6; ' +
          'primaryIpv6 must be an ipv6 primary ip, got "stack/Ipv4" of type ipv4 (in stack/Server)',
      },
    );
    assert.throws(
      () => synth((stack) => server(stack, { primaryIpv4: ipv4(stack, Location.FSN1) })),
      {
        message:
          'primaryIpv4 "stack/Ipv4" is in "fsn1" but the server is in "nbg1": a primary ip can only be assigned in its own location (in stack/Server)',
      },
    );
  });

  it("fails on a name that is not a host name", () => {
    assert.throws(() => synth((stack) => server(stack, { name: "tracker_1" })), {
      message: 'invalid server name "tracker_1": expected an rfc 1123 host name (letters, digits, "-" and "."), e.g. "tracker-1" (in stack/Server)',
    });
  });

  it("fails on user data over 32 kib", () => {
    assert.throws(() => synth((stack) => server(stack, { userData: "x".repeat(32 * 1024 + 1) })), {
      message: "user data is 32769 bytes: hetzner accepts at most 32768 (32 kib) (in stack/Server)",
    });
  });

  it("fails on bad labels, reporting every problem at once", () => {
    assert.throws(
      () => synth((stack) => server(stack, { name: "-bad", labels: { "a b": "c" } })),
      (error: Error) => error.message.includes('invalid label key "a b"') && error.message.includes('invalid server name "-bad"'),
    );
  });

  it("creates nothing but the server for itself", () => {
    const json = synth((stack) => server(stack));
    assert.deepEqual(Object.keys(json.resource).sort(), ["hcloud_primary_ip", "hcloud_server"]);
    assert.equal(Object.keys(resources(json, "hcloud_primary_ip")).length, 1);
  });
});
