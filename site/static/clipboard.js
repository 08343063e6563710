// Copying text to the clipboard, for every page that offers a "Copy" button.
//
// The Clipboard API where the browser allows it; else the old way, from a selection in a
// hidden text area (an insecure origin, or a browser without the API).

/** Put `text` on the clipboard; resolves to whether it worked. */
export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.left = "-9999px";
    document.body.append(area);
    area.select();
    let copied = false;
    try {
      copied = document.execCommand("copy");
    } catch {
      copied = false;
    }
    area.remove();
    return copied;
  }
}
