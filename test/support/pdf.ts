import { gql } from './platform.js';

/** The text of a PDF (pdfjs-dist), page by page. */
export async function pdfText(data: Uint8Array): Promise<string> {
  const { getDocument } = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const doc = await getDocument({ data, verbosity: 0 }).promise;
  const pages: string[] = [];
  for (let n = 1; n <= doc.numPages; n++)
    pages.push((await (await doc.getPage(n)).getTextContent()).items.map((i: any) => i.str ?? '').join(' '));
  return pages.join('\n');
}

/** An invoice's PDF as its reader gets it (a downloadInvoice link through the gateway), as text. */
export async function invoicePdfText(url: string, invoiceId: string, token: string): Promise<string> {
  const link = (
    await gql(
      url,
      'mutation($id: ID!) { downloadInvoice(id: $id) { url filename } }',
      { id: invoiceId },
      { token },
    )
  ).data!.downloadInvoice;
  const pdf = await fetch(new URL(url).origin + link.url);
  if (pdf.headers.get('content-type') !== 'application/pdf')
    throw new Error(`not a PDF: ${pdf.status} ${pdf.headers.get('content-type')}`);
  return pdfText(new Uint8Array(await pdf.arrayBuffer()));
}
