// Translation keys of the server's error codes.

import type { MessageKey } from "../i18n";
import type { ErrorCode } from "../protocol/messages";

const KEYS: Readonly<Record<ErrorCode, MessageKey>> = {
  badJson: "serverError.badJson",
  binaryFrame: "serverError.binaryFrame",
  unknownType: "serverError.unknownType",
  missingField: "serverError.missingField",
  invalidField: "serverError.invalidField",
  messageTooLarge: "serverError.messageTooLarge",
  notJoined: "serverError.notJoined",
  alreadyJoined: "serverError.alreadyJoined",
  unsupportedVersion: "serverError.unsupportedVersion",
  badSdp: "serverError.badSdp",
  roomFull: "serverError.roomFull",
  lobbyFull: "serverError.lobbyFull",
  rateLimited: "serverError.rateLimited",
  shuttingDown: "serverError.shuttingDown",
  schoolUsesBigBlueButton: "serverError.schoolUsesBigBlueButton",
  notAllowed: "serverError.notAllowed",
  passwordRequired: "serverError.passwordRequired",
  wrongPassword: "serverError.wrongPassword",
  roomLocked: "serverError.roomLocked",
  chatDisabled: "serverError.chatDisabled",
  noSuchParticipant: "serverError.noSuchParticipant",
  unknownRoom: "serverError.unknownRoom",
  resumeFailed: "serverError.resumeFailed",
  internalError: "serverError.internalError",
};

export function serverErrorKey(code: ErrorCode): MessageKey {
  return KEYS[code] ?? "serverError.unknown";
}
