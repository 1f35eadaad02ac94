// Copy buttons: the only script of the portal (it decides nothing; every form posts to the server).
document.addEventListener("click", (event) => {
  const button = event.target.closest("button.copy");
  if (!button) return;
  navigator.clipboard.writeText(button.dataset.copy).then(() => { button.textContent = "Copied"; }, () => {});
});
