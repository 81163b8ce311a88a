const t=globalThis,e=t.ShadowRoot&&(void 0===t.ShadyCSS||t.ShadyCSS.nativeShadow)&&"adoptedStyleSheets"in Document.prototype&&"replace"in CSSStyleSheet.prototype,i=Symbol(),s=new WeakMap;let r=class{constructor(t,e,s){if(this._$cssResult$=!0,s!==i)throw Error("CSSResult is not constructable. Use `unsafeCSS` or `css` instead.");this.cssText=t,this.t=e}get styleSheet(){let t=this.o;const i=this.t;if(e&&void 0===t){const e=void 0!==i&&1===i.length;e&&(t=s.get(i)),void 0===t&&((this.o=t=new CSSStyleSheet).replaceSync(this.cssText),e&&s.set(i,t))}return t}toString(){return this.cssText}};const n=e?t=>t:t=>t instanceof CSSStyleSheet?(t=>{let e="";for(const i of t.cssRules)e+=i.cssText;return(t=>new r("string"==typeof t?t:t+"",void 0,i))(e)})(t):t,{is:o,defineProperty:a,getOwnPropertyDescriptor:l,getOwnPropertyNames:d,getOwnPropertySymbols:c,getPrototypeOf:h}=Object,p=globalThis,u=p.trustedTypes,m=u?u.emptyScript:"",f=p.reactiveElementPolyfillSupport,g=(t,e)=>t,$={toAttribute(t,e){switch(e){case Boolean:t=t?m:null;break;case Object:case Array:t=null==t?t:JSON.stringify(t)}return t},fromAttribute(t,e){let i=t;switch(e){case Boolean:i=null!==t;break;case Number:i=null===t?null:Number(t);break;case Object:case Array:try{i=JSON.parse(t)}catch(t){i=null}}return i}},_=(t,e)=>!o(t,e),v={attribute:!0,type:String,converter:$,reflect:!1,useDefault:!1,hasChanged:_};Symbol.metadata??=Symbol("metadata"),p.litPropertyMetadata??=new WeakMap;let y=class extends HTMLElement{static addInitializer(t){this._$Ei(),(this.l??=[]).push(t)}static get observedAttributes(){return this.finalize(),this._$Eh&&[...this._$Eh.keys()]}static createProperty(t,e=v){if(e.state&&(e.attribute=!1),this._$Ei(),this.prototype.hasOwnProperty(t)&&((e=Object.create(e)).wrapped=!0),this.elementProperties.set(t,e),!e.noAccessor){const i=Symbol(),s=this.getPropertyDescriptor(t,i,e);void 0!==s&&a(this.prototype,t,s)}}static getPropertyDescriptor(t,e,i){const{get:s,set:r}=l(this.prototype,t)??{get(){return this[e]},set(t){this[e]=t}};return{get:s,set(e){const n=s?.call(this);r?.call(this,e),this.requestUpdate(t,n,i)},configurable:!0,enumerable:!0}}static getPropertyOptions(t){return this.elementProperties.get(t)??v}static _$Ei(){if(this.hasOwnProperty(g("elementProperties")))return;const t=h(this);t.finalize(),void 0!==t.l&&(this.l=[...t.l]),this.elementProperties=new Map(t.elementProperties)}static finalize(){if(this.hasOwnProperty(g("finalized")))return;if(this.finalized=!0,this._$Ei(),this.hasOwnProperty(g("properties"))){const t=this.properties,e=[...d(t),...c(t)];for(const i of e)this.createProperty(i,t[i])}const t=this[Symbol.metadata];if(null!==t){const e=litPropertyMetadata.get(t);if(void 0!==e)for(const[t,i]of e)this.elementProperties.set(t,i)}this._$Eh=new Map;for(const[t,e]of this.elementProperties){const i=this._$Eu(t,e);void 0!==i&&this._$Eh.set(i,t)}this.elementStyles=this.finalizeStyles(this.styles)}static finalizeStyles(t){const e=[];if(Array.isArray(t)){const i=new Set(t.flat(1/0).reverse());for(const t of i)e.unshift(n(t))}else void 0!==t&&e.push(n(t));return e}static _$Eu(t,e){const i=e.attribute;return!1===i?void 0:"string"==typeof i?i:"string"==typeof t?t.toLowerCase():void 0}constructor(){super(),this._$Ep=void 0,this.isUpdatePending=!1,this.hasUpdated=!1,this._$Em=null,this._$Ev()}_$Ev(){this._$ES=new Promise(t=>this.enableUpdating=t),this._$AL=new Map,this._$E_(),this.requestUpdate(),this.constructor.l?.forEach(t=>t(this))}addController(t){(this._$EO??=new Set).add(t),void 0!==this.renderRoot&&this.isConnected&&t.hostConnected?.()}removeController(t){this._$EO?.delete(t)}_$E_(){const t=new Map,e=this.constructor.elementProperties;for(const i of e.keys())this.hasOwnProperty(i)&&(t.set(i,this[i]),delete this[i]);t.size>0&&(this._$Ep=t)}createRenderRoot(){const i=this.shadowRoot??this.attachShadow(this.constructor.shadowRootOptions);return((i,s)=>{if(e)i.adoptedStyleSheets=s.map(t=>t instanceof CSSStyleSheet?t:t.styleSheet);else for(const e of s){const s=document.createElement("style"),r=t.litNonce;void 0!==r&&s.setAttribute("nonce",r),s.textContent=e.cssText,i.appendChild(s)}})(i,this.constructor.elementStyles),i}connectedCallback(){this.renderRoot??=this.createRenderRoot(),this.enableUpdating(!0),this._$EO?.forEach(t=>t.hostConnected?.())}enableUpdating(t){}disconnectedCallback(){this._$EO?.forEach(t=>t.hostDisconnected?.())}attributeChangedCallback(t,e,i){this._$AK(t,i)}_$ET(t,e){const i=this.constructor.elementProperties.get(t),s=this.constructor._$Eu(t,i);if(void 0!==s&&!0===i.reflect){const r=(void 0!==i.converter?.toAttribute?i.converter:$).toAttribute(e,i.type);this._$Em=t,null==r?this.removeAttribute(s):this.setAttribute(s,r),this._$Em=null}}_$AK(t,e){const i=this.constructor,s=i._$Eh.get(t);if(void 0!==s&&this._$Em!==s){const t=i.getPropertyOptions(s),r="function"==typeof t.converter?{fromAttribute:t.converter}:void 0!==t.converter?.fromAttribute?t.converter:$;this._$Em=s;const n=r.fromAttribute(e,t.type);this[s]=n??this._$Ej?.get(s)??n,this._$Em=null}}requestUpdate(t,e,i,s=!1,r){if(void 0!==t){const n=this.constructor;if(!1===s&&(r=this[t]),i??=n.getPropertyOptions(t),!((i.hasChanged??_)(r,e)||i.useDefault&&i.reflect&&r===this._$Ej?.get(t)&&!this.hasAttribute(n._$Eu(t,i))))return;this.C(t,e,i)}!1===this.isUpdatePending&&(this._$ES=this._$EP())}C(t,e,{useDefault:i,reflect:s,wrapped:r},n){i&&!(this._$Ej??=new Map).has(t)&&(this._$Ej.set(t,n??e??this[t]),!0!==r||void 0!==n)||(this._$AL.has(t)||(this.hasUpdated||i||(e=void 0),this._$AL.set(t,e)),!0===s&&this._$Em!==t&&(this._$Eq??=new Set).add(t))}async _$EP(){this.isUpdatePending=!0;try{await this._$ES}catch(t){Promise.reject(t)}const t=this.scheduleUpdate();return null!=t&&await t,!this.isUpdatePending}scheduleUpdate(){return this.performUpdate()}performUpdate(){if(!this.isUpdatePending)return;if(!this.hasUpdated){if(this.renderRoot??=this.createRenderRoot(),this._$Ep){for(const[t,e]of this._$Ep)this[t]=e;this._$Ep=void 0}const t=this.constructor.elementProperties;if(t.size>0)for(const[e,i]of t){const{wrapped:t}=i,s=this[e];!0!==t||this._$AL.has(e)||void 0===s||this.C(e,void 0,i,s)}}let t=!1;const e=this._$AL;try{t=this.shouldUpdate(e),t?(this.willUpdate(e),this._$EO?.forEach(t=>t.hostUpdate?.()),this.update(e)):this._$EM()}catch(e){throw t=!1,this._$EM(),e}t&&this._$AE(e)}willUpdate(t){}_$AE(t){this._$EO?.forEach(t=>t.hostUpdated?.()),this.hasUpdated||(this.hasUpdated=!0,this.firstUpdated(t)),this.updated(t)}_$EM(){this._$AL=new Map,this.isUpdatePending=!1}get updateComplete(){return this.getUpdateComplete()}getUpdateComplete(){return this._$ES}shouldUpdate(t){return!0}update(t){this._$Eq&&=this._$Eq.forEach(t=>this._$ET(t,this[t])),this._$EM()}updated(t){}firstUpdated(t){}};y.elementStyles=[],y.shadowRootOptions={mode:"open"},y[g("elementProperties")]=new Map,y[g("finalized")]=new Map,f?.({ReactiveElement:y}),(p.reactiveElementVersions??=[]).push("2.1.2");const b=globalThis,w=t=>t,x=b.trustedTypes,A=x?x.createPolicy("lit-html",{createHTML:t=>t}):void 0,E="$lit$",S=`lit$${Math.random().toFixed(9).slice(2)}$`,k="?"+S,C=`<${k}>`,M=document,T=()=>M.createComment(""),P=t=>null===t||"object"!=typeof t&&"function"!=typeof t,U=Array.isArray,N="[ \t\n\f\r]",q=/<(?:(!--|\/[^a-zA-Z])|(\/?[a-zA-Z][^>\s]*)|(\/?$))/g,I=/-->/g,O=/>/g,z=RegExp(`>|${N}(?:([^\\s"'>=/]+)(${N}*=${N}*(?:[^ \t\n\f\r"'\`<>=]|("|')|))|$)`,"g"),D=/'/g,H=/"/g,R=/^(?:script|style|textarea|title)$/i,L=(t=>(e,...i)=>({_$litType$:t,strings:e,values:i}))(1),j=Symbol.for("lit-noChange"),B=Symbol.for("lit-nothing"),F=new WeakMap,W=M.createTreeWalker(M,129);function V(t,e){if(!U(t)||!t.hasOwnProperty("raw"))throw Error("invalid template strings array");return void 0!==A?A.createHTML(e):e}const J=(t,e)=>{const i=t.length-1,s=[];let r,n=2===e?"<svg>":3===e?"<math>":"",o=q;for(let e=0;e<i;e++){const i=t[e];let a,l,d=-1,c=0;for(;c<i.length&&(o.lastIndex=c,l=o.exec(i),null!==l);)c=o.lastIndex,o===q?"!--"===l[1]?o=I:void 0!==l[1]?o=O:void 0!==l[2]?(R.test(l[2])&&(r=RegExp("</"+l[2],"g")),o=z):void 0!==l[3]&&(o=z):o===z?">"===l[0]?(o=r??q,d=-1):void 0===l[1]?d=-2:(d=o.lastIndex-l[2].length,a=l[1],o=void 0===l[3]?z:'"'===l[3]?H:D):o===H||o===D?o=z:o===I||o===O?o=q:(o=z,r=void 0);const h=o===z&&t[e+1].startsWith("/>")?" ":"";n+=o===q?i+C:d>=0?(s.push(a),i.slice(0,d)+E+i.slice(d)+S+h):i+S+(-2===d?e:h)}return[V(t,n+(t[i]||"<?>")+(2===e?"</svg>":3===e?"</math>":"")),s]};class G{constructor({strings:t,_$litType$:e},i){let s;this.parts=[];let r=0,n=0;const o=t.length-1,a=this.parts,[l,d]=J(t,e);if(this.el=G.createElement(l,i),W.currentNode=this.el.content,2===e||3===e){const t=this.el.content.firstChild;t.replaceWith(...t.childNodes)}for(;null!==(s=W.nextNode())&&a.length<o;){if(1===s.nodeType){if(s.hasAttributes())for(const t of s.getAttributeNames())if(t.endsWith(E)){const e=d[n++],i=s.getAttribute(t).split(S),o=/([.?@])?(.*)/.exec(e);a.push({type:1,index:r,name:o[2],strings:i,ctor:"."===o[1]?X:"?"===o[1]?tt:"@"===o[1]?et:Q}),s.removeAttribute(t)}else t.startsWith(S)&&(a.push({type:6,index:r}),s.removeAttribute(t));if(R.test(s.tagName)){const t=s.textContent.split(S),e=t.length-1;if(e>0){s.textContent=x?x.emptyScript:"";for(let i=0;i<e;i++)s.append(t[i],T()),W.nextNode(),a.push({type:2,index:++r});s.append(t[e],T())}}}else if(8===s.nodeType)if(s.data===k)a.push({type:2,index:r});else{let t=-1;for(;-1!==(t=s.data.indexOf(S,t+1));)a.push({type:7,index:r}),t+=S.length-1}r++}}static createElement(t,e){const i=M.createElement("template");return i.innerHTML=t,i}}function K(t,e,i=t,s){if(e===j)return e;let r=void 0!==s?i._$Co?.[s]:i._$Cl;const n=P(e)?void 0:e._$litDirective$;return r?.constructor!==n&&(r?._$AO?.(!1),void 0===n?r=void 0:(r=new n(t),r._$AT(t,i,s)),void 0!==s?(i._$Co??=[])[s]=r:i._$Cl=r),void 0!==r&&(e=K(t,r._$AS(t,e.values),r,s)),e}class Y{constructor(t,e){this._$AV=[],this._$AN=void 0,this._$AD=t,this._$AM=e}get parentNode(){return this._$AM.parentNode}get _$AU(){return this._$AM._$AU}u(t){const{el:{content:e},parts:i}=this._$AD,s=(t?.creationScope??M).importNode(e,!0);W.currentNode=s;let r=W.nextNode(),n=0,o=0,a=i[0];for(;void 0!==a;){if(n===a.index){let e;2===a.type?e=new Z(r,r.nextSibling,this,t):1===a.type?e=new a.ctor(r,a.name,a.strings,this,t):6===a.type&&(e=new it(r,this,t)),this._$AV.push(e),a=i[++o]}n!==a?.index&&(r=W.nextNode(),n++)}return W.currentNode=M,s}p(t){let e=0;for(const i of this._$AV)void 0!==i&&(void 0!==i.strings?(i._$AI(t,i,e),e+=i.strings.length-2):i._$AI(t[e])),e++}}class Z{get _$AU(){return this._$AM?._$AU??this._$Cv}constructor(t,e,i,s){this.type=2,this._$AH=B,this._$AN=void 0,this._$AA=t,this._$AB=e,this._$AM=i,this.options=s,this._$Cv=s?.isConnected??!0}get parentNode(){let t=this._$AA.parentNode;const e=this._$AM;return void 0!==e&&11===t?.nodeType&&(t=e.parentNode),t}get startNode(){return this._$AA}get endNode(){return this._$AB}_$AI(t,e=this){t=K(this,t,e),P(t)?t===B||null==t||""===t?(this._$AH!==B&&this._$AR(),this._$AH=B):t!==this._$AH&&t!==j&&this._(t):void 0!==t._$litType$?this.$(t):void 0!==t.nodeType?this.T(t):(t=>U(t)||"function"==typeof t?.[Symbol.iterator])(t)?this.k(t):this._(t)}O(t){return this._$AA.parentNode.insertBefore(t,this._$AB)}T(t){this._$AH!==t&&(this._$AR(),this._$AH=this.O(t))}_(t){this._$AH!==B&&P(this._$AH)?this._$AA.nextSibling.data=t:this.T(M.createTextNode(t)),this._$AH=t}$(t){const{values:e,_$litType$:i}=t,s="number"==typeof i?this._$AC(t):(void 0===i.el&&(i.el=G.createElement(V(i.h,i.h[0]),this.options)),i);if(this._$AH?._$AD===s)this._$AH.p(e);else{const t=new Y(s,this),i=t.u(this.options);t.p(e),this.T(i),this._$AH=t}}_$AC(t){let e=F.get(t.strings);return void 0===e&&F.set(t.strings,e=new G(t)),e}k(t){U(this._$AH)||(this._$AH=[],this._$AR());const e=this._$AH;let i,s=0;for(const r of t)s===e.length?e.push(i=new Z(this.O(T()),this.O(T()),this,this.options)):i=e[s],i._$AI(r),s++;s<e.length&&(this._$AR(i&&i._$AB.nextSibling,s),e.length=s)}_$AR(t=this._$AA.nextSibling,e){for(this._$AP?.(!1,!0,e);t!==this._$AB;){const e=w(t).nextSibling;w(t).remove(),t=e}}setConnected(t){void 0===this._$AM&&(this._$Cv=t,this._$AP?.(t))}}class Q{get tagName(){return this.element.tagName}get _$AU(){return this._$AM._$AU}constructor(t,e,i,s,r){this.type=1,this._$AH=B,this._$AN=void 0,this.element=t,this.name=e,this._$AM=s,this.options=r,i.length>2||""!==i[0]||""!==i[1]?(this._$AH=Array(i.length-1).fill(new String),this.strings=i):this._$AH=B}_$AI(t,e=this,i,s){const r=this.strings;let n=!1;if(void 0===r)t=K(this,t,e,0),n=!P(t)||t!==this._$AH&&t!==j,n&&(this._$AH=t);else{const s=t;let o,a;for(t=r[0],o=0;o<r.length-1;o++)a=K(this,s[i+o],e,o),a===j&&(a=this._$AH[o]),n||=!P(a)||a!==this._$AH[o],a===B?t=B:t!==B&&(t+=(a??"")+r[o+1]),this._$AH[o]=a}n&&!s&&this.j(t)}j(t){t===B?this.element.removeAttribute(this.name):this.element.setAttribute(this.name,t??"")}}class X extends Q{constructor(){super(...arguments),this.type=3}j(t){this.element[this.name]=t===B?void 0:t}}class tt extends Q{constructor(){super(...arguments),this.type=4}j(t){this.element.toggleAttribute(this.name,!!t&&t!==B)}}class et extends Q{constructor(t,e,i,s,r){super(t,e,i,s,r),this.type=5}_$AI(t,e=this){if((t=K(this,t,e,0)??B)===j)return;const i=this._$AH,s=t===B&&i!==B||t.capture!==i.capture||t.once!==i.once||t.passive!==i.passive,r=t!==B&&(i===B||s);s&&this.element.removeEventListener(this.name,this,i),r&&this.element.addEventListener(this.name,this,t),this._$AH=t}handleEvent(t){"function"==typeof this._$AH?this._$AH.call(this.options?.host??this.element,t):this._$AH.handleEvent(t)}}class it{constructor(t,e,i){this.element=t,this.type=6,this._$AN=void 0,this._$AM=e,this.options=i}get _$AU(){return this._$AM._$AU}_$AI(t){K(this,t)}}const st=b.litHtmlPolyfillSupport;st?.(G,Z),(b.litHtmlVersions??=[]).push("3.3.3");const rt=globalThis;let nt=class extends y{constructor(){super(...arguments),this.renderOptions={host:this},this._$Do=void 0}createRenderRoot(){const t=super.createRenderRoot();return this.renderOptions.renderBefore??=t.firstChild,t}update(t){const e=this.render();this.hasUpdated||(this.renderOptions.isConnected=this.isConnected),super.update(t),this._$Do=((t,e,i)=>{const s=i?.renderBefore??e;let r=s._$litPart$;if(void 0===r){const t=i?.renderBefore??null;s._$litPart$=r=new Z(e.insertBefore(T(),t),t,void 0,i??{})}return r._$AI(t),r})(e,this.renderRoot,this.renderOptions)}connectedCallback(){super.connectedCallback(),this._$Do?.setConnected(!0)}disconnectedCallback(){super.disconnectedCallback(),this._$Do?.setConnected(!1)}render(){return j}};nt._$litElement$=!0,nt.finalized=!0,rt.litElementHydrateSupport?.({LitElement:nt});const ot=rt.litElementPolyfillSupport;ot?.({LitElement:nt}),(rt.litElementVersions??=[]).push("4.2.2");let at=class{constructor(t){}get _$AU(){return this._$AM._$AU}_$AT(t,e,i){this._$Ct=t,this._$AM=e,this._$Ci=i}_$AS(t,e){return this.update(t,e)}update(t,e){return this.render(...e)}};const lt={},dt=(t=>(...e)=>({_$litDirective$:t,values:e}))(class extends at{constructor(){super(...arguments),this.ot=lt}render(t,e){return e()}update(t,[e,i]){if(Array.isArray(e)){if(Array.isArray(this.ot)&&this.ot.length===e.length&&e.every((t,e)=>t===this.ot[e]))return j}else if(this.ot===e)return j;return this.ot=Array.isArray(e)?Array.from(e):e,this.render(e,i)}}),ct={requested:"Requested",approved:"Approved",indexed:"Indexed",downloading:"Downloading",download_done:"Download done",importing:"Importing",anime_matching:"Anime matching",available:"Available",failed:"Failed",declined:"Declined"},ht={requested:"Waiting for approval",approved:"Looking for a release",indexed:"Looking for a release",downloading:"Downloading",download_done:"Getting it ready",importing:"Getting it ready",anime_matching:"Getting it ready",available:"Ready to watch",failed:"Something went wrong",declined:"Declined"};function pt(t,e){const i=`component.media_request_tracker.entity.sensor.request.state.${e}`,s=t.localize?.(i);return s||ct[e]}const ut=new Map;function mt(t,e){const i=`${t}|${e}`;let s=ut.get(i);if(!s){try{s=new Intl.NumberFormat(t,{maximumFractionDigits:e,minimumFractionDigits:e})}catch{s=new Intl.NumberFormat("en",{maximumFractionDigits:e,minimumFractionDigits:e})}ut.set(i,s)}return s}function ft(t,e="en"){return`${mt(e,0).format(Math.floor(t))} %`}const gt=new Map;function $t(t,e,i="en"){return function(t,e){const i=`${t}|${e}`;let s=gt.get(i);if(!s){const r=e?{hour:"2-digit",minute:"2-digit"}:{day:"numeric",month:"short",hour:"2-digit",minute:"2-digit"};try{s=new Intl.DateTimeFormat(t,r)}catch{s=new Intl.DateTimeFormat("en",r)}gt.set(i,s)}return s}(i,t.getFullYear()===e.getFullYear()&&t.getMonth()===e.getMonth()&&t.getDate()===e.getDate()).format(t)}const _t={jellyseerr:"Jellyseerr",radarr:"Radarr",sonarr:"Sonarr",qbittorrent:"qBittorrent",shoko:"Shoko",jellyfin:"Jellyfin",user:"By hand",system:"Media Request Tracker"};const vt="media_request_tracker",yt=["requested","approved","indexed","downloading","download_done","importing","anime_matching","available","failed","declined"],bt=new Set(["available","failed","declined"]);function wt(t){const e=["requested","approved","indexed","downloading","download_done","importing"];return t&&e.push("anime_matching"),e.push("available"),e}function xt(t){return bt.has(t)}function At(t,e){const i=t.entities?.[e]?.device_id,s=i?t.devices?.[i]:void 0;return s?s.primary_config_entry??s.config_entries?.[0]??null:null}function Et(t){return"number"==typeof t&&Number.isFinite(t)?t:null}function St(t){return"string"==typeof t&&""!==t?t:null}function kt(t,e){const i="string"==typeof t?Date.parse(t):Number.NaN;return new Date(Number.isNaN(i)?Date.parse(e):i)}function Ct(t,e){const i=e.attributes,s=yt.includes(e.state)?e.state:"requested",r=(n=i.timeline,Array.isArray(n)?n.filter(t=>"object"==typeof t&&null!==t&&"string"==typeof t.at):[]);var n;let o;for(let t=r.length-1;t>=0;t--){const e=r[t];if(!e.rejected){if(e.state!==s)break;o=e.at}}const a=r.length?r[r.length-1].at:void 0,l=St(i.title)??St(i.friendly_name)??e.entity_id,d="tv"===i.media_type||"movie"===i.media_type?i.media_type:null;return{entityId:e.entity_id,entryId:At(t,e.entity_id),requestId:String(i.request_id),title:l,year:Et(i.year),mediaType:d,isAnime:!0===i.is_anime,requestedBy:St(i.requested_by),picture:St(i.entity_picture),stage:s,since:kt(o,e.last_changed),changed:kt(a,e.last_changed),progress:Et(i.progress),speed:Et(i.download_speed),eta:Et(i.eta),stalled:!0===i.stalled,episodesAvailable:Et(i.episodes_available),episodesTotal:Et(i.episodes_total),timeline:r,state:e}}function Mt(t,e){return"all"===e||("finished"===e?xt(t.stage):!xt(t.stage))}function Tt(t,e){return!e||t.title.toLocaleLowerCase().includes(e.toLocaleLowerCase())}function Pt(t,e){const i=e.changed.getTime()-t.changed.getTime();return 0!==i?i:t.entityId<e.entityId?-1:t.entityId>e.entityId?1:0}const Ut=["stuck","download_problem"];const Nt=((t,...e)=>{const s=1===t.length?t[0]:e.reduce((e,i,s)=>e+(t=>{if(!0===t._$cssResult$)return t.cssText;if("number"==typeof t)return t;throw Error("Value passed to 'css' function must be a 'css' function result: "+t+". Use 'unsafeCSS' to pass non-literal values, but take care to ensure page security.")})(i)+t[s+1],t[0]);return new r(s,t,i)})`
  :host {
    display: block;
    container-type: inline-size;
    --mrt-accent: var(--primary-color, #03a9f4);
    --mrt-text: var(--primary-text-color, #212121);
    --mrt-muted: var(--secondary-text-color, #616161);
    --mrt-divider: var(--divider-color, rgba(0, 0, 0, 0.12));
    --mrt-warning: var(--warning-color, #b45309);
    --mrt-error: var(--error-color, #b00020);
    --mrt-success: var(--success-color, #2e7d32);
    --mrt-track: var(--secondary-background-color, #e5e5e5);
  }
  ha-card {
    overflow: hidden;
    color: var(--mrt-text);
  }
  .header {
    display: flex;
    align-items: baseline;
    justify-content: space-between;
    gap: 8px;
    padding: 16px 16px 8px;
  }
  .header h2 {
    margin: 0;
    font-size: var(--ha-card-header-font-size, 1.3rem);
    font-weight: 400;
  }
  .count {
    color: var(--mrt-muted);
    font-size: 0.9rem;
  }
  .toolbar {
    display: flex;
    flex-wrap: wrap;
    gap: 8px;
    padding: 0 16px 8px;
    align-items: center;
  }
  .filters {
    display: inline-flex;
    border: 1px solid var(--mrt-divider);
    border-radius: 18px;
    overflow: hidden;
  }
  .filters button {
    border: none;
    background: none;
    color: var(--mrt-text);
    padding: 6px 12px;
    font: inherit;
    font-size: 0.9rem;
    cursor: pointer;
    min-height: 32px;
  }
  /* Text keeps the theme's text colour on a tint of the accent: readable in every theme
     (HA's light blue behind white text is 2.6:1). */
  .filters button[aria-pressed="true"] {
    background: color-mix(in srgb, var(--mrt-accent) 22%, transparent);
    font-weight: 500;
  }
  input[type="search"] {
    flex: 1 1 140px;
    min-width: 0;
    min-height: 32px;
    padding: 4px 12px;
    border: 1px solid var(--mrt-divider);
    border-radius: 18px;
    background: var(--card-background-color, transparent);
    color: var(--mrt-text);
    font: inherit;
  }
  button:focus-visible,
  a:focus-visible,
  input:focus-visible {
    outline: 2px solid var(--mrt-accent);
    outline-offset: 2px;
  }
  .list {
    list-style: none;
    margin: 0;
    padding: 0;
  }
  .request {
    display: grid;
    grid-template-columns: 64px 1fr;
    gap: 12px;
    padding: 12px 16px;
    border-top: 1px solid var(--mrt-divider);
    cursor: pointer;
    /* Rows out of view skip style and layout until scrolled to. */
    content-visibility: auto;
    contain-intrinsic-size: auto 150px;
  }
  .poster {
    width: 64px;
    height: 96px;
    border-radius: 6px;
    object-fit: cover;
    background: var(--mrt-track);
    display: flex;
    align-items: center;
    justify-content: center;
    color: var(--mrt-muted);
    font-size: 1.6rem;
  }
  .body {
    min-width: 0;
    display: flex;
    flex-direction: column;
    gap: 4px;
  }
  .head {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 6px;
  }
  .title {
    border: none;
    background: none;
    padding: 0;
    margin: 0;
    font: inherit;
    font-weight: 500;
    font-size: 1rem;
    color: var(--mrt-text);
    text-align: start;
    cursor: pointer;
    overflow: hidden;
    text-overflow: ellipsis;
  }
  .year,
  .meta,
  .since,
  .progress-text {
    color: var(--mrt-muted);
    font-size: 0.85rem;
    font-weight: 400;
  }
  .badge {
    display: inline-block;
    border-radius: 10px;
    padding: 1px 8px;
    font-size: 0.75rem;
    font-weight: 500;
    border: 1px solid currentColor;
    text-decoration: none;
  }
  .badge.attention {
    border-color: var(--mrt-error);
    background: color-mix(in srgb, var(--mrt-error) 16%, transparent);
    color: var(--mrt-text);
  }
  .badge.stalled {
    border-color: var(--mrt-warning);
    background: color-mix(in srgb, var(--mrt-warning) 20%, transparent);
    color: var(--mrt-text);
  }
  .status {
    display: flex;
    flex-wrap: wrap;
    gap: 6px;
    align-items: baseline;
  }
  .plain {
    font-weight: 500;
  }
  /* The colour marks the sign, not the words (green and red text are too faint on white). */
  .stage-available .plain::before {
    content: "✓ ";
    color: var(--mrt-success);
  }
  .stage-failed .plain::before,
  .stage-declined .plain::before {
    content: "✕ ";
    color: var(--mrt-error);
  }
  .stepper {
    display: flex;
    list-style: none;
    margin: 4px 0 0;
    padding: 0;
    gap: 2px;
  }
  .step {
    flex: 1 1 0;
    min-width: 0;
    display: flex;
    flex-direction: column;
    gap: 2px;
    font-size: 0.7rem;
    color: var(--mrt-muted);
  }
  .step::before {
    content: "";
    display: block;
    height: 4px;
    border-radius: 2px;
    background: var(--mrt-track);
  }
  .step.done::before {
    background: var(--mrt-accent);
  }
  .step.current::before {
    background: var(--mrt-accent);
    height: 8px;
    margin-top: -2px;
    border-radius: 4px;
  }
  .step.current {
    color: var(--mrt-text);
    font-weight: 500;
  }
  .step.failed::before {
    background: var(--mrt-error);
  }
  .step.failed {
    color: var(--mrt-error);
  }
  .step::after {
    content: attr(data-label);
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  .progress {
    height: 8px;
    border-radius: 4px;
    background: var(--mrt-track);
    overflow: hidden;
    margin-top: 4px;
  }
  .progress > div {
    height: 100%;
    background: var(--mrt-accent);
  }
  .progress.stalled > div {
    background: var(--mrt-warning);
  }
  .timeline-toggle {
    align-self: flex-start;
    border: none;
    background: none;
    padding: 4px 0;
    color: var(--mrt-text);
    text-decoration: underline dotted;
    text-underline-offset: 3px;
    font: inherit;
    font-size: 0.85rem;
    cursor: pointer;
  }
  table.timeline {
    border-collapse: collapse;
    width: 100%;
    font-size: 0.8rem;
  }
  .timeline th {
    text-align: start;
    color: var(--mrt-muted);
    font-weight: 500;
  }
  .timeline td,
  .timeline th {
    padding: 2px 6px 2px 0;
    vertical-align: top;
  }
  .timeline tr.rejected td {
    color: var(--mrt-muted);
    text-decoration: line-through;
  }
  .timeline tr.rejected td.mark {
    text-decoration: none;
    color: var(--mrt-error);
  }
  .empty {
    padding: 24px 16px 32px;
    text-align: center;
    color: var(--mrt-muted);
  }
  .empty strong {
    display: block;
    color: var(--mrt-text);
    font-size: 1.1rem;
    font-weight: 500;
    margin-bottom: 6px;
  }
  .empty button {
    margin-top: 12px;
    border: 1px solid var(--mrt-accent);
    background: none;
    color: var(--mrt-text);
    border-radius: 18px;
    padding: 6px 14px;
    font: inherit;
    cursor: pointer;
  }
  /* Phones: a smaller poster, the stepper as a bar without names. */
  .compact .request {
    grid-template-columns: 40px 1fr;
    gap: 8px;
    padding: 8px 12px;
  }
  .compact .poster {
    width: 40px;
    height: 60px;
  }
  .compact .step::after {
    display: none;
  }
  @container (max-width: 420px) {
    .request {
      grid-template-columns: 40px 1fr;
      gap: 8px;
      padding: 8px 12px;
    }
    .poster {
      width: 40px;
      height: 60px;
    }
    .step::after {
      display: none;
    }
  }
`,qt="media-request-tracker-card",It=["active","finished","all"],Ot={active:"Active",finished:"Finished",all:"All"},zt=new WeakMap;class Dt extends nt{constructor(){super(...arguments),this._filter="active",this._search="",this.now=()=>new Date,this._candidates=[],this._views=new Map,this._expanded=new Set,this._issues=new Set,this._issuesAt=0,this._issuesPending=!1}static getConfigElement(){return document.createElement(`${qt}-editor`)}static getStubConfig(){return{filter:"active"}}setConfig(t){this._config=function(t){if(!t||"object"!=typeof t)throw new Error("Invalid configuration");const e=t;if(void 0!==e.entry&&("string"!=typeof e.entry||""===e.entry))throw new Error("entry must be a config entry id");if(void 0!==e.filter&&!It.includes(e.filter))throw new Error("filter must be one of active, finished, all");if(void 0!==e.compact&&"boolean"!=typeof e.compact)throw new Error("compact must be true or false");return e}(t),this._filter=this._config.filter??"active",this._hass&&this._collect(this._hass),this.requestUpdate()}getCardSize(){return 2+2*Math.min(this._visible().length,8)}getGridOptions(){return{columns:12,min_columns:6,rows:6,min_rows:3}}get hass(){return this._hass}set hass(t){const e=this._hass;this._hass=t,this._config&&(e&&!this._changed(e,t)||(this._collect(t),this.requestUpdate(),this._refreshIssues(!1)))}_changed(t,e){if(t.entities!==e.entities||t.devices!==e.devices||t.localize!==e.localize||t.locale!==e.locale)return!0;for(const i of this._candidates)if(t.states[i]!==e.states[i])return!0;return!1}_collect(t){const e=this._config?.entry,i=[],s=new Map,r=t.entities??{};for(const n in r){if(r[n].platform!==vt||!n.startsWith("sensor."))continue;i.push(n);const o=t.states[n];if(!o||null==o.attributes.request_id)continue;const a=this._views.get(n),l=a&&a.state===o?a:Ct(t,o);e&&l.entryId!==e||s.set(n,l)}this._candidates=i,this._views=s}_refreshIssues(t){const e=this._hass;if(!e?.callWS||this._issuesPending)return;const i=this._issuesAt+5e3-Date.now();!t&&i>0?void 0===this._issuesLater&&(this._issuesLater=window.setTimeout(()=>{this._issuesLater=void 0,this._refreshIssues(!0)},i)):(this._issuesPending=!0,this._issuesAt=Date.now(),e.callWS({type:"repairs/list_issues"}).then(t=>{const e=new Set(t.issues.filter(t=>t.domain===vt&&!t.ignored).map(t=>t.issue_id));e.size===this._issues.size&&[...e].every(t=>this._issues.has(t))||(this._issues=e,this.requestUpdate())}).catch(()=>{}).finally(()=>{this._issuesPending=!1}))}connectedCallback(){super.connectedCallback(),this._timer=window.setInterval(()=>{this._refreshIssues(!0),this.requestUpdate()},6e4)}disconnectedCallback(){super.disconnectedCallback(),window.clearInterval(this._timer),window.clearTimeout(this._issuesLater),this._issuesLater=void 0}shouldUpdate(t){return void 0!==this._config&&void 0!==this._hass}_visible(){const t=[];for(const e of this._views.values())Mt(e,this._filter)&&Tt(e,this._search)&&t.push(e);return t.sort(Pt)}render(){const t=this._hass,e=!0===this._config?.compact,i=this._visible(),s=this.now(),r=function(t){return t.locale?.language||t.language||"en"}(t),n=Math.floor(s.getTime()/6e4);return L`
      <ha-card>
        <div class="header">
          <h2 id="heading">Media requests</h2>
          <span class="count">${i.length} of ${this._views.size}</span>
        </div>
        <div class="toolbar">
          <div class="filters" role="group" aria-label="Show">
            ${It.map(t=>L`<button
                type="button"
                data-filter=${t}
                aria-pressed=${this._filter===t?"true":"false"}
                @click=${this._onFilter}
              >
                ${Ot[t]}
              </button>`)}
          </div>
          <input
            type="search"
            placeholder="Search titles"
            aria-label="Search titles"
            .value=${this._search}
            @input=${this._onSearch}
          />
        </div>
        ${0===i.length?this._renderEmpty():L`<ul
              class="list ${e?"compact":""}"
              aria-labelledby="heading"
              @click=${this._onListClick}
            >
              ${i.map(e=>{const i=function(t,e){if(0===e.size)return!1;for(const i of Ut)if(null!==t.entryId){if(e.has(`${i}_${t.entryId}_${t.requestId}`))return!0}else for(const s of e)if(s.startsWith(`${i}_`)&&s.endsWith(`_${t.requestId}`))return!0;return!1}(e,this._issues),o=this._expanded.has(e.entityId);return dt([e,i,o,n,r,t.localize],()=>this._renderRequest(t,e,s,r,i,o))})}
            </ul>`}
      </ha-card>
    `}_renderEmpty(){if(0===this._views.size)return L`<div class="empty" role="status">
        <strong>No requests yet</strong>
        Ask for a film or a series in Jellyseerr. It shows up here within seconds, and you can follow it
        until it is ready to watch.
      </div>`;if(this._search)return L`<div class="empty" role="status">
        <strong>No title matches “${this._search}”</strong>
      </div>`;const t="finished"===this._filter?"Nothing has finished yet":"Nothing on its way right now";return L`<div class="empty" role="status">
      <strong>${t}</strong>
      Every request is ${"finished"===this._filter?"still on its way":"ready to watch or closed"}.
      <br /><button type="button" data-filter="all" @click=${this._onFilter}>Show all requests</button>
    </div>`}_renderRequest(t,e,i,s,r,n){const o="downloading"===e.stage,a=(l=e.stage,ht[l]);var l;const d=pt(t,e.stage),c=[];e.requestedBy&&c.push(`Asked by ${e.requestedBy}`),"tv"===e.mediaType?c.push(e.isAnime?"Anime series":"Series"):"movie"===e.mediaType&&c.push(e.isAnime?"Anime film":"Film"),"tv"===e.mediaType&&null!==e.episodesTotal&&e.episodesTotal>0&&c.push(`${e.episodesAvailable??0} / ${e.episodesTotal} episodes`);const h=`tl-${e.entityId}`;return L`<li class="request stage-${e.stage}" data-entity=${e.entityId}>
      ${e.picture?L`<img class="poster" src=${e.picture} alt="" loading="lazy" />`:L`<div class="poster" aria-hidden="true">🎬</div>`}
      <div class="body">
        <div class="head">
          <button type="button" class="title" data-action="more-info">
            ${e.title}${null!==e.year?L` <span class="year">(${e.year})</span>`:B}
          </button>
          ${r?L`<a class="badge attention" href="/config/repairs" data-action="repairs"
                >Needs attention</a
              >`:B}
          ${e.stalled&&!xt(e.stage)?L`<span class="badge stalled" role="status">Stalled</span>`:B}
        </div>
        ${c.length?L`<div class="meta">${c.join(" · ")}</div>`:B}
        <div class="status">
          <span class="plain">${a}</span>
          <span class="since"
            >${d===a?"":`${d} `}since ${$t(e.since,i,s)} ·
            ${function(t,e){const i=Math.max(0,(e.getTime()-t.getTime())/1e3);if(i<60)return"just now";const s=Math.floor(i/60);if(s<60)return`${s} min ago`;const r=Math.floor(s/60);return r<48?`${r} h ago`:`${Math.floor(r/24)} days ago`}(e.since,i)}</span
          >
        </div>
        ${this._renderStepper(t,e,d)}
        ${o?this._renderProgress(e,s):B}
        ${e.timeline.length?L`<button
              type="button"
              class="timeline-toggle"
              data-action="timeline"
              aria-expanded=${n?"true":"false"}
              aria-controls=${h}
            >
              ${n?"Hide":"Show"} timeline (${e.timeline.length})
            </button>`:B}
        ${n?this._renderTimeline(t,e,h,i,s):B}
      </div>
    </li>`}_renderStepper(t,e,i){const s=wt(e.isAnime);if(-1===s.indexOf(e.stage))return this._renderEndedStepper(t,e,s,i);const r=function(t,e,i){const s=t.localize??zt;let r=zt.get(s);r||zt.set(s,r=new Map);const n=`${e}|${i}`;let o=r.get(n);if(!o){const s=wt(e),a=s.indexOf(i);o={cls:[],cur:[],aria:[],label:[]},s.forEach((e,i)=>{const s=pt(t,e),r=i===a?"current":i<a?"done":"to come";o.cls.push("step "+(i===a?"current":i<a?"done":"todo")),o.cur.push(i===a?"step":B),o.aria.push(`${s}: ${r}`),o.label.push(s)}),r.set(n,o)}return o}(t,e.isAnime,e.stage);return L`<ol class="stepper" aria-label="Stages">
      <li class=${r.cls[0]} aria-current=${r.cur[0]} aria-label=${r.aria[0]} data-label=${r.label[0]}></li>
      <li class=${r.cls[1]} aria-current=${r.cur[1]} aria-label=${r.aria[1]} data-label=${r.label[1]}></li>
      <li class=${r.cls[2]} aria-current=${r.cur[2]} aria-label=${r.aria[2]} data-label=${r.label[2]}></li>
      <li class=${r.cls[3]} aria-current=${r.cur[3]} aria-label=${r.aria[3]} data-label=${r.label[3]}></li>
      <li class=${r.cls[4]} aria-current=${r.cur[4]} aria-label=${r.aria[4]} data-label=${r.label[4]}></li>
      <li class=${r.cls[5]} aria-current=${r.cur[5]} aria-label=${r.aria[5]} data-label=${r.label[5]}></li>
      <li class=${r.cls[6]} aria-current=${r.cur[6]} aria-label=${r.aria[6]} data-label=${r.label[6]}></li>
      ${r.cls.length>7?L`<li class=${r.cls[7]} aria-current=${r.cur[7]} aria-label=${r.aria[7]} data-label=${r.label[7]}></li>`:B}
    </ol>`}_renderEndedStepper(t,e,i,s){let r=0;for(const t of e.timeline)t.rejected||(r=Math.max(r,i.indexOf(t.state)));return L`<ol class="stepper" aria-label="Stages">
      ${i.slice(0,r+1).map(e=>{const i=pt(t,e);return L`<li class="step done" aria-label="${i}: done" data-label=${i}></li>`})}
      <li class="step failed" aria-current="step" aria-label="${s}: current" data-label=${s}></li>
    </ol>`}_renderProgress(t,e){const i=Math.max(0,Math.min(100,t.progress??0)),s=[ft(i,e)];t.stalled?s.push("no data coming in"):(null!==t.speed&&s.push(function(t,e="en"){return t>=1e6?`${mt(e,1).format(t/1e6)} MB/s`:`${mt(e,0).format(t/1e3)} kB/s`}(t.speed,e)),null!==t.eta&&s.push(`${function(t){if(t<60)return"less than a minute";const e=Math.round(t/60);if(e<60)return`about ${e} min`;const i=Math.floor(e/60),s=e%60;return i>=48?`about ${Math.round(i/24)} days`:s?`about ${i} h ${s} min`:`about ${i} h`}(t.eta)} left`));const r=s.join(" · ");return L`<div
        class="progress ${t.stalled?"stalled":""}"
        role="progressbar"
        aria-label="Download of ${t.title}"
        aria-valuemin="0"
        aria-valuemax="100"
        aria-valuenow=${Math.round(i)}
        aria-valuetext=${r}
      >
        <div style="width: ${i}%"></div>
      </div>
      <div class="progress-text">${r}</div>`}_renderTimeline(t,e,i,s,r){const n=[...e.timeline].reverse();return L`<table class="timeline" id=${i} aria-label="Timeline of ${e.title}">
      <thead>
        <tr><th scope="col">Time</th><th scope="col">Stage</th><th scope="col">From</th><th scope="col">Detail</th><th scope="col">Note</th></tr>
      </thead>
      <tbody>
        ${n.map(e=>{return L`<tr class=${e.rejected?"rejected":""}>
            <td>${$t(new Date(e.at),s,r)}</td>
            <td>${this._timelineStage(t,e.state)}</td>
            <td>${i=e.source,_t[i]??i}</td>
            <td>${e.detail}</td>
            <td class="mark">${e.rejected?"Rejected":""}</td>
          </tr>`;var i})}
      </tbody>
    </table>`}_timelineStage(t,e){return wt(!0).includes(e)||"failed"===e||"declined"===e?pt(t,e):e}_onFilter(t){const e=t.currentTarget.dataset.filter;this._filter=e}_onSearch(t){this._search=t.target.value.trim()}_onListClick(t){const e=t.composedPath(),i=e.find(t=>t instanceof HTMLElement&&void 0!==t.dataset?.entity);if(!i)return;const s=i.dataset.entity,r=e.find(t=>t instanceof HTMLElement&&t.dataset?.action)?.dataset.action;return"timeline"===r?(this._expanded.has(s)?this._expanded.delete(s):this._expanded.add(s),void this.requestUpdate()):"repairs"===r?(t.preventDefault(),window.history.pushState(null,"","/config/repairs"),void window.dispatchEvent(new CustomEvent("location-changed",{detail:{replace:!1}}))):void(e.some(t=>t instanceof HTMLElement&&"TABLE"===t.tagName)||this.dispatchEvent(new CustomEvent("hass-more-info",{detail:{entityId:s},bubbles:!0,composed:!0})))}}Dt.styles=Nt,Dt.properties={_filter:{state:!0},_search:{state:!0}};const Ht=[{name:"entry",selector:{config_entry:{integration:vt}}},{name:"filter",selector:{select:{mode:"dropdown",options:[{value:"active",label:"Active (on their way)"},{value:"finished",label:"Finished (ready, failed or declined)"},{value:"all",label:"All"}]}}},{name:"compact",selector:{boolean:{}}}],Rt={entry:"Media stack (all when empty)",filter:"Show at first",compact:"Compact layout (phones)"};class Lt extends nt{setConfig(t){this._config=t}render(){return L`<ha-form
      .hass=${this.hass}
      .data=${this._config??{}}
      .schema=${Ht}
      .computeLabel=${t=>Rt[t.name]??t.name}
      @value-changed=${this._changed}
    ></ha-form>`}_changed(t){t.stopPropagation();const e={...this._config,...t.detail.value};for(const t of["entry","filter"])""!==e[t]&&null!=e[t]||delete e[t];!1===e.compact&&delete e.compact,this._config=e,this.dispatchEvent(new CustomEvent("config-changed",{detail:{config:e},bubbles:!0,composed:!0}))}}Lt.properties={hass:{attribute:!1},_config:{state:!0}},customElements.get(qt)||customElements.define(qt,Dt),customElements.get(`${qt}-editor`)||customElements.define(`${qt}-editor`,Lt),window.customCards=window.customCards??[],window.customCards.some(t=>t.type===qt)||window.customCards.push({type:qt,name:"Media Request Tracker",description:"Every media request from asking to playing: poster, stage, download progress and timeline.",preview:!0,documentationURL:"https://github.com/media-request-tracker/media-request-tracker#dashboard-card"});
