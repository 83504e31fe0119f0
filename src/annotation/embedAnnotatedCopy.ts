import type { PDFDocument } from 'pdf-lib';
import { embedJsonAttachment } from '../forms/pdf/embedFullForm';
import { ANNOTATED_COPY_ATTACHMENT_NAME, type AnnotatedCopy } from './AnnotatedCopy';

/**
 * Embeds the signed copy (the annotation, its original and its signature) as a file attachment, as the licence
 * PDF embeds its full form (EmbeddedFiles name tree and the catalog's /AF, relationship Source): the PDF alone
 * carries what a verifier needs.
 */
export function embedAnnotatedCopy(doc: PDFDocument, copy: AnnotatedCopy, at: Date): void {
  embedJsonAttachment(doc, { name: ANNOTATED_COPY_ATTACHMENT_NAME, description: '电子证照加注件签名文件 / Signed annotated copy (elicense-annotated-copy 1.0.0)', value: copy, at });
}
