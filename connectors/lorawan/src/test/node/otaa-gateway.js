// Two virtual Semtech packet-forwarder gateways carrying OTAA devices built with the npm lora-packet library (an
// independent LoRaWAN implementation). Used by OtaaLoraPacketIT:
//   NODE_PATH=<test-rigs/peers/node_modules> node otaa-gateway.js <server port> <devices.json> <uplinks per device>
// devices.json: [{"name", "devEui", "appEui", "appKey", "devNonce"}]. For every device: join (PUSH_DATA from both
// gateways, gateway A hears it better), decrypt the JoinAccept from PULL_RESP with lora-packet, derive the session
// keys with lora-packet, send uplinks (every third confirmed) and check each ACK's MIC and ACK bit with lora-packet.
// One ACK is refused with TX_ACK error TOO_LATE to make the server use RX2. Then the first device's JoinRequest is
// replayed, followed by a confirmed marker uplink; one confirmed uplink is sent twice (its ACK "lost") and must be
// acknowledged twice; every PULL_RESP seen after the replay is reported. Prints one JSON
// report on stdout. Fails (exit 1) only on protocol breakage it cannot report.
const dgram = require("dgram");
const fs = require("fs");
const lp = require("lora-packet");

const port = Number(process.argv[2]);
const devices = JSON.parse(fs.readFileSync(process.argv[3], "utf8"));
const uplinksPerDevice = Number(process.argv[4] || 6);
// gateway A hears every frame better; its concentrator counter passes 2^32 right after the first frame
const GW = [
  { eui: "aa555a0000000001", lsnr: 9.5, rssi: -60, tmst0: 4_289_000_000 },
  { eui: "aa555a0000000002", lsnr: -3.0, rssi: -110, tmst0: 1_000_000 },
];
const report = { joinAccepts: [], acks: [], rx2: [], uplinks: [], afterReplay: [], errors: [] };
let token = 0;
const waiting = []; // {resolve, gw}

function header(id, gwIndex) {
  token = (token + 1) & 0xffff;
  const b = Buffer.alloc(12);
  b[0] = 2; b[1] = token >> 8; b[2] = token & 0xff; b[3] = id;
  Buffer.from(GW[gwIndex].eui, "hex").copy(b, 4);
  return b;
}

const sockets = GW.map((g, i) => {
  const s = dgram.createSocket("udp4");
  s.on("message", (msg) => {
    if (msg.length < 4) return;
    if (msg[3] === 0x03) {
      const json = JSON.parse(msg.slice(4).toString("utf8"));
      const resp = { gw: i, token: msg.readUInt16BE(1), txpk: json.txpk };
      const w = waiting.shift();
      if (w) w(resp); else pending.push(resp);
    }
  });
  return s;
});
const pending = [];

function nextResp(timeoutMs) {
  if (pending.length) return Promise.resolve(pending.shift());
  return new Promise((resolve) => {
    const t = setTimeout(() => { const k = waiting.indexOf(fn); if (k >= 0) waiting.splice(k, 1); resolve(null); }, timeoutMs);
    const fn = (r) => { clearTimeout(t); resolve(r); };
    waiting.push(fn);
  });
}

function send(gwIndex, buf) {
  return new Promise((res, rej) => sockets[gwIndex].send(buf, port, "127.0.0.1", (e) => (e ? rej(e) : res())));
}

function txAck(gwIndex, tok, error) {
  const h = header(0x05, gwIndex);
  h[1] = tok >> 8; h[2] = tok & 0xff;
  return send(gwIndex, Buffer.concat([h, Buffer.from(JSON.stringify({ txpk_ack: { error } }))]));
}

let clock = 0;
async function push(phy) {
  clock += 3_000_000; // 3 s of concentrator time between frames
  const tmsts = [];
  for (let i = 0; i < GW.length; i++) {
    const tmst = (GW[i].tmst0 + clock) % 4294967296;
    tmsts.push(tmst);
    const rxpk = { tmst, chan: 0, rfch: 0, freq: 868.1, stat: 1, modu: "LORA", datr: "SF7BW125", codr: "4/5",
      lsnr: GW[i].lsnr, rssi: GW[i].rssi, size: phy.length, data: phy.toString("base64") };
    await send(i, Buffer.concat([header(0x00, i), Buffer.from(JSON.stringify({ rxpk: [rxpk] }))]));
  }
  return tmsts;
}

async function main() {
  for (let i = 0; i < GW.length; i++) sockets[i].bind(0, "127.0.0.1");
  await Promise.all(sockets.map((s) => new Promise((r) => (s.address ? s.once("listening", r) : r()))));
  for (let i = 0; i < GW.length; i++) await send(i, header(0x02, i)); // PULL_DATA: downstream address
  await new Promise((r) => setTimeout(r, 200));
  const joined = [];
  for (const d of devices) {
    const appKey = Buffer.from(d.appKey, "hex");
    const req = lp.fromFields({ MType: "Join Request", AppEUI: Buffer.from(d.appEui, "hex"),
      DevEUI: Buffer.from(d.devEui, "hex"), DevNonce: Buffer.from(d.devNonce, "hex") }, null, null, appKey);
    const phy = req.getPHYPayload();
    const tmsts = await push(phy);
    const resp = await nextResp(8000);
    if (!resp) { report.errors.push("no JoinAccept for " + d.name); continue; }
    await txAck(resp.gw, resp.token, "NONE");
    const wire = Buffer.from(resp.txpk.data, "base64");
    const plain = lp.decryptJoinAccept(lp.fromWire(wire), appKey);
    const accept = lp.fromWire(plain);
    const micOk = lp.verifyMIC(accept, null, appKey);
    const keys = lp.generateSessionKeys10(appKey, accept.NetID, accept.AppNonce, Buffer.from(d.devNonce, "hex"));
    report.joinAccepts.push({ device: d.name, gw: resp.gw, uplinkTmst: tmsts[resp.gw], txpk: resp.txpk, micOk,
      mtype: accept.getMType(), devAddr: accept.DevAddr.toString("hex"), rxDelay: accept.RxDelay[0],
      dlSettings: accept.DLSettings[0], netId: accept.NetID.toString("hex") });
    joined.push({ d, phy, devAddr: accept.DevAddr, nwk: keys.NwkSKey, app: keys.AppSKey });
  }
  let refused = false;
  for (const j of joined) {
    for (let f = 0; f < uplinksPerDevice; f++) {
      const confirmed = f % 3 === 2;
      const payload = Buffer.from(j.d.name + "#" + f);
      const up = lp.fromFields({ MType: confirmed ? "Confirmed Data Up" : "Unconfirmed Data Up", DevAddr: j.devAddr,
        FCtrl: { ADR: false }, FCnt: f, FPort: 1, payload }, j.app, j.nwk);
      const tmsts = await push(up.getPHYPayload());
      report.uplinks.push({ device: j.d.name, fcnt: f, confirmed, payload: payload.toString("hex") });
      if (!confirmed) continue;
      let resp = await nextResp(5000);
      if (!resp) { report.errors.push("no ACK for " + j.d.name + " fcnt " + f); continue; }
      if (!refused) {
        // the gateway says it was too late for RX1: the server must offer RX2 (same gateway, one second later)
        refused = true;
        await txAck(resp.gw, resp.token, "TOO_LATE");
        const second = await nextResp(5000);
        if (!second) { report.errors.push("no RX2 retry after TOO_LATE"); continue; }
        report.rx2.push({ device: j.d.name, first: resp.txpk, firstGw: resp.gw, second: second.txpk, secondGw: second.gw,
          uplinkTmst: tmsts[second.gw], same: resp.txpk.data === second.txpk.data });
        resp = second;
      }
      await txAck(resp.gw, resp.token, "NONE");
      const down = lp.fromWire(Buffer.from(resp.txpk.data, "base64"));
      report.acks.push({ device: j.d.name, fcnt: f, gw: resp.gw, uplinkTmst: tmsts[resp.gw], txpk: resp.txpk,
        mtype: down.getMType(), ack: down.getFCtrlACK(), micOk: lp.verifyMIC(down, j.nwk),
        devAddr: down.DevAddr.toString("hex"), fcntDown: down.getFCnt(), fopts: down.FOpts.toString("hex") });
      if (j.d.name === "otaa-1" && f === 2) {
        // the device did not hear that ACK: it sends the same frame again and must be acknowledged again
        const again = await push(up.getPHYPayload());
        const r2 = await nextResp(5000);
        if (!r2) { report.errors.push("no ACK for the retransmission of " + j.d.name); continue; }
        await txAck(r2.gw, r2.token, "NONE");
        const d2 = lp.fromWire(Buffer.from(r2.txpk.data, "base64"));
        report.acks.push({ device: j.d.name, fcnt: f, again: true, gw: r2.gw, uplinkTmst: again[r2.gw], txpk: r2.txpk,
          mtype: d2.getMType(), ack: d2.getFCtrlACK(), micOk: lp.verifyMIC(d2, j.nwk), devAddr: d2.DevAddr.toString("hex"),
          fcntDown: d2.getFCnt(), fopts: d2.FOpts.toString("hex") });
      }
    }
  }
  if (joined.length > 0) {
    const j = joined[0];
    await push(j.phy); // the same JoinRequest again: same DevNonce
    const payload = Buffer.from("marker");
    const marker = lp.fromFields({ MType: "Confirmed Data Up", DevAddr: j.devAddr, FCtrl: { ADR: false },
      FCnt: uplinksPerDevice, FPort: 1, payload }, j.app, j.nwk);
    await push(marker.getPHYPayload());
    report.uplinks.push({ device: j.d.name, fcnt: uplinksPerDevice, confirmed: true, payload: payload.toString("hex") });
    for (;;) {
      const r = await nextResp(5000);
      if (!r) break;
      const f = lp.fromWire(Buffer.from(r.txpk.data, "base64"));
      report.afterReplay.push({ mtype: f.getMType(), ack: f.getFCtrlACK ? f.getFCtrlACK() : null });
      await txAck(r.gw, r.token, "NONE");
      if (f.getMType() !== "Join Accept" && f.getFCtrlACK()) break; // the marker's ACK: nothing else is coming
    }
  }
  process.stdout.write(JSON.stringify(report) + "\n");
  sockets.forEach((s) => s.close());
}

main().catch((e) => { console.error(e && e.stack || e); process.exit(1); });
