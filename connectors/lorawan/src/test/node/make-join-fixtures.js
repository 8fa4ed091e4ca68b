// Produces src/test/resources/otaa-join-vectors.json with the npm lora-packet library (the independent peer):
//   NODE_PATH=../../../../../test-rigs/peers/node_modules node make-join-fixtures.js > ../resources/otaa-join-vectors.json
// Inputs are fixed below; every "expected" value is computed by lora-packet, none by Sluice.
const lp = require("lora-packet");
const cases = [
  { appKey: "98929b92c49edba9676d646d3b612456", appEui: "aa13693363343639", devEui: "3331383274356905",
    devNonce: "8904", appNonce: "376338", netId: "aabbcc", devAddr: "012ccde7", dlSettings: 0x00, rxDelay: 1 },
  { appKey: "2b7e151628aed2a6abf7158809cf4f3c", appEui: "70b3d57ed0000000", devEui: "0004a30b001c0530",
    devNonce: "1a2b", appNonce: "c0ffee", netId: "000013", devAddr: "26000001", dlSettings: 0x13, rxDelay: 5 },
  { appKey: "000102030405060708090a0b0c0d0e0f", appEui: "0000000000000000", devEui: "70b3d57ed0001234",
    devNonce: "0001", appNonce: "000001", netId: "000000", devAddr: "00000001", dlSettings: 0x20, rxDelay: 0 },
];
const hex = (b) => Buffer.from(b).toString("hex");
const out = cases.map((c) => {
  const appKey = Buffer.from(c.appKey, "hex");
  const req = lp.fromFields({ MType: "Join Request", AppEUI: Buffer.from(c.appEui, "hex"),
    DevEUI: Buffer.from(c.devEui, "hex"), DevNonce: Buffer.from(c.devNonce, "hex") }, null, null, appKey);
  const fields = { MType: "Join Accept", AppNonce: Buffer.from(c.appNonce, "hex"), NetID: Buffer.from(c.netId, "hex"),
    DevAddr: Buffer.from(c.devAddr, "hex"), DLSettings: c.dlSettings, RxDelay: c.rxDelay, CFList: Buffer.alloc(0) };
  // with the AppKey, lora-packet computes the MIC and encrypts the accept (AES-ECB decrypt of body|MIC)
  const encrypted = lp.fromFields(fields, null, null, appKey).getPHYPayload();
  const unsigned = lp.fromFields(fields); // no key: plaintext with a placeholder MIC
  const mic = lp.calculateMIC(unsigned, null, appKey);
  const plain = Buffer.concat([unsigned.getPHYPayload().slice(0, -4), mic]);
  const back = lp.decryptJoinAccept(lp.fromWire(encrypted), appKey);
  if (hex(back) !== hex(plain)) throw new Error("decryptJoinAccept does not give the plaintext for " + c.devEui);
  if (!lp.verifyMIC(lp.fromWire(back), null, appKey)) throw new Error("MIC of the accept does not verify for " + c.devEui);
  const acc = { MIC: mic };
  const keys = lp.generateSessionKeys10(appKey, Buffer.from(c.netId, "hex"), Buffer.from(c.appNonce, "hex"),
    Buffer.from(c.devNonce, "hex"));
  return { ...c, joinRequest: hex(req.getPHYPayload()), joinRequestMic: hex(req.MIC),
    joinAcceptPlain: hex(plain), joinAcceptMic: hex(acc.MIC), joinAcceptEncrypted: hex(encrypted),
    nwkSKey: hex(keys.NwkSKey), appSKey: hex(keys.AppSKey) };
});
console.log(JSON.stringify({
  source: "npm lora-packet 0.9.3 (test-rigs/peers/package-lock.json), run by src/test/node/make-join-fixtures.js",
  conventions: "appEui, devEui, devNonce, appNonce, netId, devAddr as printed (most significant byte first); frames as on air",
  vectors: out }, null, 1));
