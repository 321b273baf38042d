/**
 * The demo page's live examples, taken from the guide of the widget we re-create: each is shown as code AND
 * run from the same text, so what a visitor reads is exactly what runs. The stand-ins are `__API_KEY__` (the
 * local cloud's generated key) and `__BASE__` (the path Updraft is served under, usually empty).
 */
export interface DemoExample {
  id: string;
  title: string;
  description: string;
  html: string;
  script: string;
}

export const DEMO_EXAMPLES: DemoExample[] = [
  {
    id: 'quick',
    title: 'Quick example',
    description: 'Unsigned uploads with the preset preset1, straight from the guide.',
    html: '<button id="upload_widget" class="cloudinary-button">Upload files</button>',
    script: `var myWidget = cloudinary.createUploadWidget({
  cloudName: 'demo',
  uploadPreset: 'preset1'}, (error, result) => {
    logEvent('quick', error, result);
    if (!error && result && result.event === "success") {
      console.log('Done! Here is the image info: ', result.info);
    }
  }
)

document.getElementById("upload_widget").addEventListener("click", function(){
    myWidget.open();
  }, false);`,
  },
  {
    id: 'thumbnails',
    title: 'Upload and display thumbnails',
    description: 'Thumbnails appear on the page; the "x" deletes an upload with its delete token.',
    html: '<button id="thumbnails_opener" class="cloudinary-button">Upload and display thumbnails</button>\n<div id="demo-thumbnails"></div>',
    script: `var thumbnailsWidget = cloudinary.createUploadWidget({
  cloudName: 'demo',
  uploadPreset: 'preset1',
  thumbnails: '#demo-thumbnails',
  thumbnailTransformation: [{ width: 90, height: 60, crop: 'limit' }],
  return_delete_token: true
}, (error, result) => { logEvent('thumbnails', error, result); });

document.getElementById('thumbnails_opener').addEventListener('click', function () {
  thumbnailsWidget.open();
}, false);`,
  },
  {
    id: 'cropping',
    title: 'Crop and upload',
    description:
      'The guide\'s cropping example: pick one image, choose the region (mouse or keyboard: arrows move, Shift+arrows resize, Enter crops). The original is stored with custom_coordinates; c_crop,g_custom delivers the region.',
    html: '<button id="crop_opener" class="cloudinary-button">Crop and upload</button>\n<p><img id="crop_result" alt="The cropped region, delivered with c_crop,g_custom" hidden></p>',
    script: `var myCropWidget = cloudinary.createUploadWidget({
  cloudName: 'demo', uploadPreset: 'preset1', folder: 'widgetUpload', cropping: true}, 
  (error, result) => {
    console.log(error, result);
    logEvent('cropping', error, result);
    if (!error && result && result.event === 'success') {
      var img = document.getElementById('crop_result');
      img.src = result.info.secure_url.replace('/upload/', '/upload/c_crop,g_custom/c_limit,w_400/');
      img.hidden = false;
    }
  })

document.getElementById('crop_opener').addEventListener('click', function () {
  myCropWidget.open();
}, false);`,
  },
  {
    id: 'form',
    title: 'applyUploadWidget in a form',
    description: 'The field becomes an upload button; each upload adds a hidden field the form posts.',
    html: `<form id="demo-form">
  <label>Title <input name="title" value="My trip"></label>
  <input name="photo" id="upload_widget_opener">
  <button type="submit">Submit</button>
</form>`,
    script: `cloudinary.applyUploadWidget(document.getElementById('upload_widget_opener'),
  { cloudName: 'demo', uploadPreset: 'preset1' },
  (error, result) => { logEvent('form', error, result); });

document.getElementById('demo-form').addEventListener('submit', function (event) {
  event.preventDefault();
  logLine('form', 'submit ' + new URLSearchParams(new FormData(event.target)).toString());
});`,
  },
  {
    id: 'signed',
    title: 'Signed upload',
    description: 'No preset: a signature function asks this demo server to sign the parameters the widget gives it.',
    html: '<button id="signed_opener" class="cloudinary-button">Signed upload</button>',
    script: `var generateSignature = function(callback, params_to_sign){
  fetch('__BASE__/demo/sign', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(params_to_sign)
  })
    .then(function (response) { return response.text(); })
    .then(function (signature) { callback(signature); });
};

var signedWidget = cloudinary.createUploadWidget(
  { api_key : "__API_KEY__", cloudName: "demo", uploadSignature: generateSignature },
  (error, result) => { logEvent('signed', error, result); });

document.getElementById('signed_opener').addEventListener('click', function () {
  signedWidget.open();
}, false);`,
  },
];

/** Shared by the examples: prints every callback into the events log. */
export const DEMO_LOG_SCRIPT = `function logLine(example, text) {
  var log = document.getElementById('events-log');
  var line = document.createElement('li');
  line.textContent = '[' + example + '] ' + text;
  log.prepend(line);
}
function logEvent(example, error, result) {
  if (error) { logLine(example, 'error ' + JSON.stringify(error)); return; }
  var info = result && result.info;
  var summary = info && info.public_id ? info.public_id + ' (' + info.bytes + ' bytes)' : JSON.stringify(info === undefined ? '' : info).slice(0, 160);
  logLine(example, result.event + ' ' + summary);
}`;
