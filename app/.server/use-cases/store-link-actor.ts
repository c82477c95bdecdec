import { InvalidInputError } from "../domain/errors.ts";
import { mayManageStoreLinks } from "../domain/store-link.ts";
import type { Actor } from "./manage-pools.ts";

/**
 * The one check before a link code is made or redeemed or a store is split off. Roles do not
 * exist yet (issue 17 part 2): every signed-in admin of the account may; when they arrive, this is
 * where linking becomes an owner's action (see domain mayManageStoreLinks).
 */
export function assertMayManageStoreLinks(actor: Actor): void {
  if (!mayManageStoreLinks(actor)) throw new InvalidInputError("store_link_not_permitted", "only the account's admins may link or split stores");
}
