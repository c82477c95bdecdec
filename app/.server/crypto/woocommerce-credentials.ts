import type { Store } from "../db/schema.ts";
import type { KeyCipher } from "./key-cipher.ts";

export interface WooCommerceCredentials {
  consumerKey: string;
  consumerSecret: string;
}

/** WooCommerce credentials are sealed with the master key, bound to the store id (as rotate-master-key re-seals them). */
export function sealWooCommerceCredentials(cipher: KeyCipher, storeId: string, creds: WooCommerceCredentials) {
  return cipher.seal(JSON.stringify(creds), storeId);
}

export function openWooCommerceCredentials(cipher: KeyCipher, store: Pick<Store, "id" | "credentials_ciphertext" | "credentials_key_id">): WooCommerceCredentials | null {
  if (!store.credentials_ciphertext || !store.credentials_key_id) return null;
  return JSON.parse(cipher.openString({ ciphertext: Buffer.from(store.credentials_ciphertext), keyId: store.credentials_key_id }, store.id)) as WooCommerceCredentials;
}
