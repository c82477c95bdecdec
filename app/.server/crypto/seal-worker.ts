/** Worker thread: seals chunks of keys so AES-GCM and HMAC use every core during an import. */
import { parentPort, workerData } from "node:worker_threads";
import { Fingerprinter } from "./fingerprint.ts";
import { KeyCipher } from "./key-cipher.ts";
import { sealKeys, type SealRequest } from "./seal-keys.ts";

const cipher = new KeyCipher(Buffer.from(workerData.masterKey as Uint8Array));
const fingerprinter = new Fingerprinter(Buffer.from(workerData.fingerprintSecret as Uint8Array));

parentPort!.on("message", (msg: { id: number; req: SealRequest }) => {
  try {
    const packed = sealKeys(cipher, fingerprinter, msg.req);
    parentPort!.postMessage({ id: msg.id, packed }, [packed.ciphertexts.buffer as ArrayBuffer, packed.fingerprints.buffer as ArrayBuffer]);
  } catch (e) {
    parentPort!.postMessage({ id: msg.id, error: (e as Error).message });
  }
});
