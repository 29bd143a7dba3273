// Gute Schule: the phone scan pages (stock-taking, issuing and taking back loans), enhanced
// (no inline scripts, CSP-safe).
// Without this file the form posts one number and the page comes back with the result.
// With it, numbers are sent by fetch (the page stays, the field stays focused), and where
// the browser has the BarcodeDetector API a button scans the QR labels with the camera.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form[data-scan-form]");
  if (!form || !window.fetch || !window.FormData) return;
  const input = form.querySelector("input[name=inventory_number]");
  const result = document.getElementById("scan-result");
  const count = document.getElementById("scan-count");
  const recent = document.getElementById("recent-scans");
  let busy = false;
  const queue = [];

  const show = (message, tone) => {
    const line = document.createElement("p");
    line.className = `scan-${tone}`;
    line.dataset.scanMessage = "";
    line.textContent = message;
    result.replaceChildren(line);
  };

  // The label's QR code holds the device URL: the inventory number is its last segment.
  const numberFrom = (text) => {
    const value = text.trim();
    if (!value.includes("/")) return value;
    let path = value;
    try {
      path = new URL(value, window.location.href).pathname;
    } catch (error) {
      path = value.split("?")[0];
    }
    const parts = path.split("/").filter(Boolean);
    return parts.length ? decodeURIComponent(parts[parts.length - 1]) : "";
  };

  // The form as it is when a number is entered: the fields beside the number (a loan's
  // contract, a condition) travel with it even if they change before it is sent.
  const entry = (number) => {
    const body = new FormData(form);
    body.set("inventory_number", number);
    // Fields marked data-scan-reset (a condition at return, "damaged") hold for one number.
    form.querySelectorAll("[data-scan-reset]").forEach((field) => {
      if (field.type === "checkbox") field.checked = false;
      else field.value = "";
    });
    return body;
  };

  const send = async (body) => {
    show(form.dataset.sending, "info");
    try {
      const response = await fetch(form.action, {
        method: "POST",
        body,
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      const answer = await response.json();
      if (answer.redirect) {
        window.location.assign(answer.redirect);
        return;
      }
      if (!response.ok) {
        show(answer.error || form.dataset.failed, "bad");
        return;
      }
      show(answer.message, answer.tone);
      count.textContent = answer.count;
      if (answer.counted) {
        const item = document.createElement("li");
        item.textContent = answer.number;
        recent.prepend(item);
        while (recent.children.length > 10) recent.lastElementChild.remove();
      }
    } catch (error) {
      show(form.dataset.failed, "bad");
    }
  };

  // Scanners type fast: numbers sent while one is on its way wait their turn.
  const drain = async () => {
    if (busy) return;
    busy = true;
    while (queue.length) await send(queue.shift());
    busy = false;
  };

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const number = input.value.trim();
    input.value = "";
    input.focus();
    if (!number) return;
    queue.push(entry(number));
    drain();
  });

  if (!("BarcodeDetector" in window) || !navigator.mediaDevices) return;
  const actions = form.querySelector(".actions");
  const button = document.createElement("button");
  button.type = "button";
  button.textContent = form.dataset.cameraLabel;
  actions.append(button);
  const video = document.createElement("video");
  video.className = "scan-camera";
  video.setAttribute("playsinline", "");
  video.muted = true;
  video.hidden = true;
  form.after(video);
  let stream = null;
  let lastSeen = "";

  const stop = () => {
    if (stream) stream.getTracks().forEach((track) => track.stop());
    stream = null;
    video.hidden = true;
    button.textContent = form.dataset.cameraLabel;
    input.focus();
  };

  button.addEventListener("click", async () => {
    if (stream) {
      stop();
      return;
    }
    let detector;
    try {
      detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      stream = await navigator.mediaDevices.getUserMedia({
        video: { facingMode: "environment" },
        audio: false,
      });
    } catch (error) {
      show(form.dataset.cameraError, "bad");
      stop();
      return;
    }
    video.srcObject = stream;
    video.hidden = false;
    button.textContent = form.dataset.cameraStop;
    await video.play();
    const look = async () => {
      if (!stream) return;
      try {
        const codes = await detector.detect(video);
        const text = codes.length ? codes[0].rawValue : "";
        // One label held in front of the camera is sent once, not on every frame.
        if (text && text !== lastSeen) {
          lastSeen = text;
          const number = numberFrom(text);
          if (number) {
            queue.push(entry(number));
            drain();
          }
        }
      } catch (error) {
        // a frame that could not be read: try the next one
      }
      window.setTimeout(look, 250);
    };
    look();
  });
});
