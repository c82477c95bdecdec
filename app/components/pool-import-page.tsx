import {
  Banner,
  BlockStack,
  Box,
  Button,
  Card,
  DataTable,
  Divider,
  DropZone,
  FormLayout,
  InlineGrid,
  InlineStack,
  Layout,
  List,
  Page,
  ProgressBar,
  Select,
  Spinner,
  Text,
  TextField,
} from "@shopify/polaris";
import type { TFunction } from "i18next";
import { useEffect, useRef, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { Form, useNavigation, useSubmit } from "react-router";
import { formatNumber } from "../i18n/i18n.ts";
import type { ImportActionData, ImportFormOptions, importLoader, UploadInfo } from "../.server/http/import-page.ts";
import type { PageError } from "../.server/http/pool-pages.ts";
import type { ImportReport } from "../.server/use-cases/import-keys.ts";
import { Code, errorText, formatBytes, useHydrated, useLocale } from "./pool-ui.tsx";

export type ImportPageData = Awaited<ReturnType<typeof importLoader>>;

const OPTION_FIELDS = [
  "format",
  "encoding",
  "codeColumn",
  "extraFields",
  "costColumn",
  "expiryColumn",
  "supplier",
  "batchNotes",
  "cost",
  "currency",
  "expiresAt",
] as const satisfies readonly (keyof ImportFormOptions)[];

function defaultOptions(currency: string | null): ImportFormOptions {
  return {
    format: "auto",
    encoding: "auto",
    codeColumn: "",
    extraFields: "",
    costColumn: "",
    expiryColumn: "",
    supplier: "",
    batchNotes: "",
    cost: "",
    currency: currency ?? "",
    expiresAt: "",
  };
}

/**
 * Sends the file (or the pasted text) as the raw body of one POST, reporting upload progress.
 * Inside Shopify the request carries App Bridge's session token.
 */
function sendUpload(
  url: string,
  body: Blob,
  csrf: string,
  onProgress: (loaded: number, total: number) => void,
  started: (xhr: XMLHttpRequest) => void,
): Promise<UploadInfo> {
  return new Promise((resolve, reject) => {
    const shopify = (window as { shopify?: { idToken?: () => Promise<string> } }).shopify;
    const token = shopify?.idToken ? shopify.idToken() : Promise.resolve("");
    void token.then(
      (bearer) => {
        const xhr = new XMLHttpRequest();
        xhr.open("POST", url);
        xhr.setRequestHeader("Content-Type", "application/octet-stream");
        xhr.setRequestHeader("X-CSRF-Token", csrf);
        if (bearer) xhr.setRequestHeader("Authorization", `Bearer ${bearer}`);
        xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : body.size);
        xhr.onload = () => {
          let json: { upload?: UploadInfo; error?: PageError } = {};
          try {
            json = JSON.parse(xhr.responseText) as typeof json;
          } catch {
            // not JSON: a proxy's error page, a redirect to the login
          }
          if (xhr.status === 200 && json.upload) resolve(json.upload);
          else reject(json.error ?? { code: xhr.status === 413 ? "file_too_large" : "upload_failed", params: {} });
        };
        xhr.onerror = () => reject({ code: "upload_failed", params: {} });
        xhr.onabort = () => reject({ code: "upload_cancelled", params: {} });
        started(xhr);
        xhr.send(body);
      },
      () => reject({ code: "upload_failed", params: {} }),
    );
  });
}

/** The import flow: choose or paste → check (dry run) → preview → import → report. */
export function PoolImportPage({ data, actionData }: { data: ImportPageData; actionData?: ImportActionData }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const hydrated = useHydrated();
  const navigation = useNavigation();
  const submit = useSubmit();
  const { base, csrf, pool, maxBytes } = data;
  const here = `${base}/pools/${pool.id}`;

  const [options, setOptions] = useState<ImportFormOptions>(actionData?.options ?? defaultOptions(pool.currency));
  const set = (k: keyof ImportFormOptions) => (v: string) => setOptions((o) => ({ ...o, [k]: v }));
  const [text, setText] = useState("");
  const [file, setFile] = useState<File | null>(null);
  const [upload, setUpload] = useState<UploadInfo | null>(actionData && "upload" in actionData ? actionData.upload : null);
  const [progress, setProgress] = useState<{ loaded: number; total: number } | null>(null);
  const [clientError, setClientError] = useState<PageError | null>(null);
  const [editing, setEditing] = useState(false);
  const xhrRef = useRef<XMLHttpRequest | null>(null);

  useEffect(() => {
    if (!actionData) {
      // "Import more" after a report: a fresh form.
      setText("");
      setFile(null);
      setUpload(null);
      setEditing(false);
      return;
    }
    setUpload(actionData.ok ? (actionData.stage === "preview" ? actionData.upload : null) : actionData.upload);
    setEditing(false);
    setProgress(null);
  }, [actionData]);

  const submittingIntent = navigation.state !== "idle" ? navigation.formData?.get("intent") : null;
  const checking = submittingIntent === "preview";
  const importing = submittingIntent === "import";
  const uploading = progress !== null;
  const error = clientError ?? (actionData && !actionData.ok ? actionData.error : null);
  const message = error ? errorText(t, locale, error) : null;
  const fieldError = (f: string) => (error?.field === f ? (message ?? undefined) : undefined);

  const title = t("import.title", { pool: pool.name });
  const backAction = { content: pool.name, url: here };

  if (pool.archived) {
    return (
      <Page title={title} backAction={backAction} narrowWidth>
        <Banner tone="warning">{t("import.archived")}</Banner>
      </Page>
    );
  }

  if (actionData?.ok && actionData.stage === "done") {
    return (
      <Page title={title} backAction={backAction}>
        <DoneReport data={actionData} poolName={pool.name} here={here} />
      </Page>
    );
  }

  if (actionData?.ok && actionData.stage === "preview" && !editing && !checking) {
    return (
      <Page title={title} backAction={backAction}>
        <Preview data={actionData} csrf={csrf} importing={importing} onEdit={() => setEditing(true)} />
      </Page>
    );
  }

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setClientError(null);
    let up = upload;
    if (!up) {
      const body: Blob | null = file ?? (text.trim() ? new Blob([text], { type: "text/plain;charset=utf-8" }) : null);
      if (!body) return setClientError({ code: "empty_paste", params: {}, field: "text" });
      if (body.size > maxBytes) return setClientError({ code: "file_too_large", params: { limit: maxBytes }, field: "file" });
      const q = new URLSearchParams({ name: file?.name ?? "", kind: file ? "file" : "paste" });
      setProgress({ loaded: 0, total: body.size });
      try {
        up = await sendUpload(
          `${here}/import/upload?${q}`,
          body,
          csrf,
          (loaded, total) => setProgress({ loaded, total }),
          (xhr) => (xhrRef.current = xhr),
        );
      } catch (err) {
        setProgress(null);
        const pe = err as PageError;
        return setClientError(pe.code === "upload_cancelled" ? null : { ...pe, field: pe.field ?? "file" });
      } finally {
        xhrRef.current = null;
      }
      setUpload(up);
    }
    form.delete("text");
    form.set("uploadId", up.id);
    form.set("intent", "preview");
    setProgress(null);
    submit(form, { method: "post" });
  }

  const chooseFile = (f: File | undefined) => {
    setFile(f ?? null);
    setUpload(null);
    setClientError(null);
  };

  return (
    <Page title={title} subtitle={t("import.subtitle")} backAction={backAction}>
      <Form method="post" onSubmit={hydrated ? onSubmit : undefined}>
        <input type="hidden" name="csrf" value={csrf} />
        <input type="hidden" name="intent" value="preview" />
        <Layout>
          {message && !(error?.field && ["extraFields", "cost", "currency", "expiresAt"].includes(error.field)) ? (
            <Layout.Section>
              <Banner tone="critical">{message}</Banner>
            </Layout.Section>
          ) : null}
          <Layout.Section>
            <BlockStack gap="400">
              <Card>
                <BlockStack gap="300">
                  <Text as="h2" variant="headingMd">
                    {t("import.source.title")}
                  </Text>
                  {upload && !file && !upload.pasted ? (
                    <InlineStack gap="200" blockAlign="center">
                      <Text as="p">{t("import.source.uploaded", { name: upload.name, size: formatBytes(locale, upload.bytes) })}</Text>
                      <Button variant="plain" onClick={() => setUpload(null)}>
                        {t("import.source.change")}
                      </Button>
                    </InlineStack>
                  ) : hydrated ? (
                    file ? (
                      <InlineStack gap="200" blockAlign="center">
                        <Text as="p" fontWeight="semibold">
                          {t("import.source.chosen", { name: file.name, size: formatBytes(locale, file.size) })}
                        </Text>
                        <Button variant="plain" onClick={() => chooseFile(undefined)} disabled={uploading}>
                          {t("import.source.change")}
                        </Button>
                      </InlineStack>
                    ) : (
                      <DropZone
                        label={t("import.source.fileLabel")}
                        accept=".txt,.csv,text/plain,text/csv"
                        type="file"
                        allowMultiple={false}
                        onDrop={(_all, accepted) => chooseFile(accepted[0])}
                        variableHeight
                      >
                        <Box padding="400">
                          <BlockStack gap="100" inlineAlign="center">
                            <DropZone.FileUpload actionTitle={t("import.source.fileAction")} actionHint={t("import.source.fileHint", { limit: formatBytes(locale, maxBytes) })} />
                          </BlockStack>
                        </Box>
                      </DropZone>
                    )
                  ) : null}
                  {!file && !(upload && !upload.pasted) ? (
                    <>
                      {hydrated ? <Divider /> : null}
                      <TextField
                        label={hydrated ? t("import.source.pasteLabelOr") : t("import.source.pasteLabel")}
                        name="text"
                        value={text}
                        onChange={(v) => {
                          setText(v);
                          setUpload(null);
                        }}
                        multiline={6}
                        maxHeight={240}
                        monospaced
                        autoComplete="off"
                        spellCheck={false}
                        helpText={t("import.source.pasteHelp")}
                        error={fieldError("text")}
                      />
                    </>
                  ) : null}
                  {progress ? (
                    <BlockStack gap="200">
                      <ProgressBar progress={progress.total ? Math.round((progress.loaded / progress.total) * 100) : 0} size="small" tone="primary" />
                      <InlineStack align="space-between" blockAlign="center">
                        <Text as="p" variant="bodySm" tone="subdued">
                          {t("import.source.uploading", { loaded: formatBytes(locale, progress.loaded), total: formatBytes(locale, progress.total) })}
                        </Text>
                        <Button variant="plain" onClick={() => xhrRef.current?.abort()}>
                          {t("import.source.cancelUpload")}
                        </Button>
                      </InlineStack>
                    </BlockStack>
                  ) : null}
                  {checking ? (
                    <InlineStack gap="200" blockAlign="center">
                      <Spinner size="small" accessibilityLabel={t("import.checking")} />
                      <Text as="p" tone="subdued">
                        {t("import.checking")}
                      </Text>
                    </InlineStack>
                  ) : null}
                </BlockStack>
              </Card>

              <Card>
                <BlockStack gap="300">
                  <Text as="h2" variant="headingMd">
                    {t("import.options.title")}
                  </Text>
                  <FormLayout>
                    <FormLayout.Group>
                      <Select
                        label={t("import.options.format")}
                        name="format"
                        options={(["auto", "txt", "csv"] as const).map((f) => ({ label: t(`import.options.formats.${f}`), value: f }))}
                        value={options.format}
                        onChange={set("format")}
                      />
                      <Select
                        label={t("import.options.encoding")}
                        name="encoding"
                        options={(["auto", "utf-8", "utf-16le", "utf-16be", "gb18030"] as const).map((f) => ({ label: t(`import.options.encodings.${f}`), value: f }))}
                        value={options.encoding}
                        onChange={set("encoding")}
                        error={fieldError("encoding")}
                      />
                    </FormLayout.Group>
                  </FormLayout>
                  <Text as="h3" variant="headingSm">
                    {t("import.columns.title")}
                  </Text>
                  <Text as="p" variant="bodySm" tone="subdued">
                    {t("import.columns.help")}
                  </Text>
                  <FormLayout>
                    <FormLayout.Group>
                      <TextField label={t("import.columns.code")} name="codeColumn" value={options.codeColumn} onChange={set("codeColumn")} autoComplete="off" placeholder={t("import.columns.codePlaceholder")} />
                      <TextField
                        label={t("import.columns.extra")}
                        name="extraFields"
                        value={options.extraFields}
                        onChange={set("extraFields")}
                        autoComplete="off"
                        placeholder={t("import.columns.extraPlaceholder")}
                        helpText={t("import.columns.extraHelp")}
                        error={fieldError("extraFields")}
                      />
                    </FormLayout.Group>
                    <FormLayout.Group>
                      <TextField label={t("import.columns.cost")} name="costColumn" value={options.costColumn} onChange={set("costColumn")} autoComplete="off" />
                      <TextField label={t("import.columns.expiry")} name="expiryColumn" value={options.expiryColumn} onChange={set("expiryColumn")} autoComplete="off" />
                    </FormLayout.Group>
                  </FormLayout>
                </BlockStack>
              </Card>
            </BlockStack>
          </Layout.Section>

          <Layout.Section variant="oneThird">
            <BlockStack gap="400">
              <Card>
                <BlockStack gap="300">
                  <Text as="h2" variant="headingMd">
                    {t("import.batch.title")}
                  </Text>
                  <Text as="p" variant="bodySm" tone="subdued">
                    {t("import.batch.help")}
                  </Text>
                  <FormLayout>
                    <TextField label={t("import.batch.supplier")} name="supplier" value={options.supplier} onChange={set("supplier")} autoComplete="off" />
                    <TextField label={t("import.batch.notes")} name="batchNotes" value={options.batchNotes} onChange={set("batchNotes")} autoComplete="off" multiline={2} />
                    <FormLayout.Group condensed>
                      <TextField
                        label={t("import.batch.cost")}
                        name="cost"
                        value={options.cost}
                        onChange={set("cost")}
                        autoComplete="off"
                        inputMode="decimal"
                        placeholder={pool.defaultCost}
                        error={fieldError("cost")}
                      />
                      <TextField
                        label={t("import.batch.currency")}
                        name="currency"
                        value={options.currency}
                        onChange={(v) => set("currency")(v.toUpperCase())}
                        autoComplete="off"
                        maxLength={3}
                        error={fieldError("currency")}
                      />
                    </FormLayout.Group>
                    <TextField
                      label={t("import.batch.expiresAt")}
                      name="expiresAt"
                      type="date"
                      value={options.expiresAt}
                      onChange={set("expiresAt")}
                      autoComplete="off"
                      helpText={t("import.batch.expiresHelp")}
                      error={fieldError("expiresAt")}
                    />
                  </FormLayout>
                </BlockStack>
              </Card>
              {pool.formatRegex ? (
                <Card>
                  <BlockStack gap="200">
                    <Text as="h2" variant="headingSm">
                      {t("import.formatCheck")}
                    </Text>
                    <Code>{pool.formatRegex}</Code>
                  </BlockStack>
                </Card>
              ) : null}
              <InlineStack align="end">
                <Button submit variant="primary" loading={uploading || checking} size="large">
                  {t("import.check")}
                </Button>
              </InlineStack>
            </BlockStack>
          </Layout.Section>
        </Layout>
      </Form>
      <Box paddingBlockEnd="800" />
    </Page>
  );
}

function lineList(lines: number[], total: number, t: TFunction, locale: string): string {
  const shown = lines.map((l) => new Intl.NumberFormat(locale).format(l)).join(", ");
  return total > lines.length ? t("import.preview.linesMore", { lines: shown, count: total - lines.length, n: new Intl.NumberFormat(locale).format(total - lines.length) }) : shown;
}

function Counts({ report }: { report: ImportReport }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const tile = (label: string, value: number, tone?: "success" | "caution" | "critical") => (
    <Box padding="300" background="bg-surface-secondary" borderRadius="200">
      <BlockStack gap="100">
        <Text as="h3" variant="bodySm" tone="subdued">
          {label}
        </Text>
        <Text as="p" variant="headingXl" tone={value > 0 ? tone : undefined}>
          {formatNumber(locale, value)}
        </Text>
      </BlockStack>
    </Box>
  );
  return (
    <InlineGrid columns={{ xs: 2, md: 4 }} gap="300">
      {tile(report.dryRun ? t("import.preview.new") : t("import.done.added"), report.added, "success")}
      {tile(t("import.preview.dupInFile"), report.duplicates.inFile, "caution")}
      {tile(t("import.preview.dupInStock"), report.duplicates.inStock, "caution")}
      {tile(t("import.preview.invalid"), report.invalid.count, "critical")}
    </InlineGrid>
  );
}

/** Which lines were skipped and why (the first 100 of each kind). */
function SkippedLines({ report }: { report: ImportReport }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const { duplicates, invalid } = report;
  if (!duplicates.inFile && !duplicates.inStock && !invalid.count) return null;
  return (
    <BlockStack gap="200">
      {duplicates.inFile ? (
        <Text as="p">
          <Text as="span" fontWeight="semibold">
            {t("import.preview.dupInFileLines")}
          </Text>{" "}
          {lineList(duplicates.inFileLines, duplicates.inFile, t, locale)}
        </Text>
      ) : null}
      {duplicates.inStock ? (
        <Text as="p">
          <Text as="span" fontWeight="semibold">
            {t("import.preview.dupInStockLines")}
          </Text>{" "}
          {lineList(duplicates.inStockLines, duplicates.inStock, t, locale)}
        </Text>
      ) : null}
      {invalid.count ? (
        <BlockStack gap="100">
          <Text as="p" fontWeight="semibold">
            {t("import.preview.invalidLines")}
          </Text>
          <List type="bullet">
            {invalid.lines.map((l) => (
              <List.Item key={l.line}>{t("import.preview.invalidLine", { line: l.line, reason: t([`import.reasons.${l.reason}`, "import.reasons.unknown"]) })}</List.Item>
            ))}
          </List>
          {invalid.count > invalid.lines.length ? (
            <Text as="p" tone="subdued" variant="bodySm">
              {t("import.preview.moreInvalid", { count: invalid.count - invalid.lines.length, n: formatNumber(locale, invalid.count - invalid.lines.length) })}
            </Text>
          ) : null}
        </BlockStack>
      ) : null}
    </BlockStack>
  );
}

function Preview({
  data,
  csrf,
  importing,
  onEdit,
}: {
  data: Extract<ImportActionData, { stage: "preview" }>;
  csrf: string;
  importing: boolean;
  onEdit: () => void;
}) {
  const { t } = useTranslation();
  const locale = useLocale();
  const hydrated = useHydrated();
  const { report, upload, options, format } = data;
  const fieldNames = [...new Set(report.preview.flatMap((r) => Object.keys(r.fields)))];
  const hidden = (
    <>
      <input type="hidden" name="csrf" value={csrf} />
      <input type="hidden" name="uploadId" value={upload.id} />
      {OPTION_FIELDS.map((f) => (
        <input key={f} type="hidden" name={f} value={options[f]} />
      ))}
    </>
  );
  return (
    <Layout>
      <Layout.Section>
        <Card>
          <BlockStack gap="400">
            <BlockStack gap="100">
              <Text as="h2" variant="headingMd">
                {t("import.preview.title")}
              </Text>
              <Text as="p" tone="subdued">
                {t("import.preview.summary", {
                  name: upload.pasted ? t("import.preview.pasted") : upload.name,
                  size: formatBytes(locale, upload.bytes),
                  format: t(`import.formatNames.${format}`),
                  encoding: t(`import.options.encodings.${report.encoding}`),
                  count: report.records,
                  n: formatNumber(locale, report.records),
                })}
              </Text>
            </BlockStack>
            <Counts report={report} />
            <SkippedLines report={report} />
          </BlockStack>
        </Card>
      </Layout.Section>
      {report.preview.length ? (
        <Layout.Section>
          <Card padding="0">
            <Box padding="400" paddingBlockEnd="200">
              <BlockStack gap="100">
                <Text as="h2" variant="headingMd">
                  {t("import.preview.firstRows")}
                </Text>
                <Text as="p" variant="bodySm" tone="subdued">
                  {t("import.preview.maskedHint")}
                </Text>
              </BlockStack>
            </Box>
            <DataTable
              columnContentTypes={["text", "text", ...fieldNames.map(() => "text" as const)]}
              headings={[t("import.preview.line"), t("import.preview.code"), ...fieldNames]}
              rows={report.preview.map((r) => [
                formatNumber(locale, r.line),
                <Code key="c">{r.code}</Code>,
                ...fieldNames.map((f) => <Code key={f}>{r.fields[f] ?? ""}</Code>),
              ])}
              verticalAlign="middle"
            />
          </Card>
        </Layout.Section>
      ) : null}
      <Layout.Section>
        {importing ? (
          <Banner tone="info">
            <InlineStack gap="200" blockAlign="center">
              <Spinner size="small" accessibilityLabel={t("import.importing", { count: report.added, n: formatNumber(locale, report.added) })} />
              <Text as="span">{t("import.importing", { count: report.added, n: formatNumber(locale, report.added) })}</Text>
            </InlineStack>
          </Banner>
        ) : null}
        {report.added === 0 ? <Banner tone="warning">{t("import.preview.nothing")}</Banner> : null}
        <Box paddingBlockStart="400">
          <InlineStack align="end" gap="200">
            <Form method="post">
              {hidden}
              <input type="hidden" name="intent" value="discard" />
              <Button submit disabled={importing}>
                {t("import.preview.cancel")}
              </Button>
            </Form>
            {hydrated ? (
              <Button onClick={onEdit} disabled={importing}>
                {t("import.preview.back")}
              </Button>
            ) : null}
            <Form method="post">
              {hidden}
              <input type="hidden" name="intent" value="import" />
              <Button submit variant="primary" disabled={report.added === 0} loading={importing}>
                {t("import.preview.confirm", { count: report.added, n: formatNumber(locale, report.added) })}
              </Button>
            </Form>
          </InlineStack>
        </Box>
        <Box paddingBlockEnd="800" />
      </Layout.Section>
    </Layout>
  );
}

function DoneReport({ data, poolName, here }: { data: Extract<ImportActionData, { stage: "done" }>; poolName: string; here: string }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const { report } = data;
  const seconds = new Intl.NumberFormat(locale, { maximumSignificantDigits: 2 }).format(Math.max(report.elapsedMs, 1) / 1000);
  return (
    <Layout>
      <Layout.Section>
        {report.added > 0 ? (
          <Banner tone="success" title={t("import.done.title")}>
            {t("import.done.addedText", { count: report.added, n: formatNumber(locale, report.added), pool: poolName })}
          </Banner>
        ) : (
          <Banner tone="warning" title={t("import.done.noneTitle")}>
            {t("import.done.none")}
          </Banner>
        )}
      </Layout.Section>
      <Layout.Section>
        <Card>
          <BlockStack gap="400">
            <Counts report={report} />
            <SkippedLines report={report} />
            <Text as="p" tone="subdued">
              {t("import.done.elapsed", { seconds, count: report.records, n: formatNumber(locale, report.records) })}
            </Text>
            <InlineStack gap="200">
              <Button variant="primary" url={here}>
                {t("import.done.viewPool")}
              </Button>
              <Button url={`${here}/import`}>
                {t("import.done.again")}
              </Button>
            </InlineStack>
          </BlockStack>
        </Card>
      </Layout.Section>
    </Layout>
  );
}
