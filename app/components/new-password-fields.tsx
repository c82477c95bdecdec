import { TextField } from "@shopify/polaris";

export interface NewPassword {
  password: string;
  confirm: string;
}

/**
 * The login's email (read-only, so password managers file the new password under it) and a new
 * password typed twice: the invitation page and the reset page. Errors come from the server,
 * beside the field they name.
 */
export function NewPasswordFields(props: {
  email: string;
  /** The email field's form name: the invitation posts it, the reset page only shows it. */
  emailName: string;
  emailLabel: string;
  passwordLabel: string;
  passwordHelp: string;
  confirmLabel: string;
  value: NewPassword;
  onChange(value: NewPassword): void;
  fieldError(field: "password" | "confirm"): string | undefined;
}) {
  const { value, onChange } = props;
  return (
    <>
      <TextField label={props.emailLabel} name={props.emailName} type="email" autoComplete="username" value={props.email} readOnly onChange={() => {}} />
      <TextField
        label={props.passwordLabel}
        name="password"
        type="password"
        autoComplete="new-password"
        helpText={props.passwordHelp}
        value={value.password}
        onChange={(password) => onChange({ ...value, password })}
        error={props.fieldError("password")}
      />
      <TextField
        label={props.confirmLabel}
        name="confirm"
        type="password"
        autoComplete="new-password"
        value={value.confirm}
        onChange={(confirm) => onChange({ ...value, confirm })}
        error={props.fieldError("confirm")}
      />
    </>
  );
}
